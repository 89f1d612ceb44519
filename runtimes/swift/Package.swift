// swift-tools-version:5.9
// The Swift run-time code of sync-patterns: what generated Swift clients carry a copy of.
// Compiled and tested on its own here (scripts/swift-toolchain.sh test runtimes/swift).
import PackageDescription

let package = Package(
    name: "SyncRuntime",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "SyncRuntime", targets: ["SyncRuntime"])
    ],
    targets: [
        .target(name: "SyncRuntime"),
        .testTarget(name: "SyncRuntimeTests", dependencies: ["SyncRuntime"]),
    ]
)
