// swift-tools-version:5.9
// The Swift client tests: the contacts spec generated twice (live as written, and flipped to
// push), one shared test body against both, plus live-only tests. tests/swift/run.sh copies
// the generated sources into Sources/ContactsLive and Sources/ContactsPush first.
import PackageDescription

let package = Package(
    name: "SwiftClientTests",
    platforms: [.iOS(.v17), .macOS(.v14)],
    targets: [
        .target(name: "ContactsLive"),
        .target(name: "ContactsPush"),
        .target(name: "HarnessSupport"),
        .executableTarget(name: "OfflineWriter", dependencies: ["ContactsLive"]),
        .testTarget(
            name: "LiveTests", dependencies: ["ContactsLive", "HarnessSupport"],
            swiftSettings: [.define("LIVE")]),
        .testTarget(name: "PushTests", dependencies: ["ContactsPush", "HarnessSupport"]),
    ]
)
