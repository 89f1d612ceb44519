import XCTest
@testable import SyncRuntime

final class OutboxTests: XCTestCase {
    func testEntriesSurviveANewInstanceAndEmptyRemovesTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let url = OutboxFile.location(
            directory: directory, baseURL: URL(string: "https://api.example.com/v1")!, userScope: "alice",
            resource: "contacts", scope: "{}")
        let entry = OutboxEntry(kind: .create, key: .string("k"), body: .object(["name": .string("A")]))
        try OutboxFile(url: url).save([entry])
        XCTAssertEqual(OutboxFile(url: url).load(), [entry])
        try OutboxFile(url: url).save([])
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testLocationsAreScopedByBaseURLAndUser() {
        let base = URL(string: "https://api.example.com")!
        let alice = OutboxFile.location(directory: nil, baseURL: base, userScope: "alice", resource: "r", scope: "{}")
        let bob = OutboxFile.location(directory: nil, baseURL: base, userScope: "bob", resource: "r", scope: "{}")
        let staging = OutboxFile.location(
            directory: nil, baseURL: URL(string: "https://staging.example.com")!, userScope: "alice", resource: "r",
            scope: "{}")
        XCTAssertNotEqual(alice, bob)
        XCTAssertNotEqual(alice, staging)
        XCTAssertEqual(OutboxFile.stableHash("abc"), OutboxFile.stableHash("abc"))
    }

    func testAnUnreadableFileIsSetAsideNotLost() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("x.outbox.json")
        try Data("{not json".utf8).write(to: url)
        XCTAssertEqual(OutboxFile(url: url).load(), [])
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertTrue(kept.contains { $0.hasPrefix("x.outbox.json.unreadable-") }, "\(kept)")
    }

    private struct Status: HTTPStatusError {
        let status: Int
        var headers: [String: String] { [:] }
    }

    func testA409ToAReplayedCreateIsDeliveredNotRejected() {
        let first = OutboxEntry(kind: .create, key: .string("k"), body: nil, attempts: 1)
        let replay = OutboxEntry(kind: .create, key: .string("k"), body: nil, attempts: 2)
        let update = OutboxEntry(kind: .update, key: .string("k"), body: nil, attempts: 2)
        XCTAssertEqual(Delivery.classify(Status(status: 409), of: first), .rejected)
        XCTAssertEqual(Delivery.classify(Status(status: 409), of: replay), .deliveredBefore)
        XCTAssertEqual(Delivery.classify(Status(status: 409), of: update), .rejected)
        XCTAssertEqual(Delivery.classify(Status(status: 422), of: replay), .rejected)
        XCTAssertEqual(Delivery.classify(Status(status: 503), of: replay), .retry(after: nil))
    }

    func testRetryAfterAcceptsSecondsAndDates() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertEqual(Delivery.parseRetryAfter("120", now: now), 120)
        XCTAssertEqual(Delivery.parseRetryAfter("Mon, 12 Jan 1970 13:30:30 GMT", now: now), 0, "a past date")
        XCTAssertEqual(
            Delivery.parseRetryAfter("Mon, 12 Jan 1970 13:30:30 GMT", now: Date(timeIntervalSince1970: 999_000)), 30)
        XCTAssertNil(Delivery.parseRetryAfter("soon", now: now))
    }
}
