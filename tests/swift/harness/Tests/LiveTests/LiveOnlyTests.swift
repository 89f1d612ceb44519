import ContactsLive
import Foundation
import HarnessSupport
import XCTest

/// What only live mode promises: instant writes, streaming reads, offline and restarts.
@MainActor
final class LiveOnlyTests: XCTestCase {
    /// The row shows while the server cannot answer (it is frozen with SIGSTOP), and the
    /// write completes once it can.
    func testOptimisticInsertShowsBeforeTheServerAnswers() async throws {
        let server = try ContactsServer()
        defer { server.stop() }
        let api = APIClient(
            APIConfiguration(baseURL: server.url, shapeURL: server.shapeURL, storageDirectory: scratchDirectory("optimistic")))
        let store = api.contacts
        defer { store.stop() }
        _ = try await store.list()
        server.pause()
        let id = UUID()
        let write = Task { try await store.create(NewContact(id: id, name: "Optimist", email: "o@example.com")) }
        let shown = await eventually(timeout: 1) { store.items.contains(where: { $0.id == id }) }
        XCTAssertTrue(shown, "the row shows before the API answered")
        XCTAssertEqual(store.pendingWrites, 1)
        server.resume()
        let created = try await write.value
        XCTAssertEqual(created.id, id)
        let settled = await eventually { store.pendingWrites == 0 }
        XCTAssertTrue(settled)
        XCTAssertEqual(store.items.filter { $0.id == id }.count, 1, "the server's row replaced the optimistic one")
    }

    /// A write by one client reaches another client's store through the Shape stream.
    func testSecondClientSeesTheWriteWithinOneSecond() async throws {
        let server = try ContactsServer()
        defer { server.stop() }
        let config = { (name: String) in
            APIConfiguration(baseURL: server.url, shapeURL: server.shapeURL, storageDirectory: scratchDirectory(name))
        }
        let writer = APIClient(config("writer")).contacts
        let reader = APIClient(config("reader")).contacts
        defer {
            writer.stop()
            reader.stop()
        }
        _ = try await reader.list()
        _ = try await writer.list()
        // Let the reader's stream settle into its live long poll.
        try await Task.sleep(nanoseconds: 200_000_000)
        let id = UUID()
        let started = Date()
        try await writer.create(NewContact(id: id, name: "Broadcast", email: "b@example.com"))
        let seen = await eventually(timeout: 1) { reader.items.contains(where: { $0.id == id }) }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(seen, "the reader did not see the write within 1 s of making it")
        XCTAssertLessThan(elapsed, 1)
        print("write to second client's store: \(Int(elapsed * 1000)) ms")
    }

    /// A write made with no server persists in the outbox across a process exit; the next
    /// process sends it once, and only once.
    func testOfflineWritesSurviveARestartAndDrainExactlyOnce() async throws {
        // A port nothing listens on yet: start a server to find a free one, then stop it.
        let probe = try ContactsServer()
        let port = probe.port
        let base = probe.url
        probe.stop()
        let storage = scratchDirectory("offline")
        let id = UUID()
        let name = "Offline \(id.uuidString.prefix(8))"

        let writer = Process()
        writer.executableURL = Self.productsDirectory.appendingPathComponent("OfflineWriter")
        writer.arguments = [base.absoluteString, storage.path, id.uuidString, name]
        try writer.run()
        writer.waitUntilExit()
        XCTAssertEqual(writer.terminationStatus, 0, "the writer process failed")
        let files = outboxFiles(in: storage)
        XCTAssertEqual(files.count, 1)
        let entries = try JSONDecoder().decode([OutboxEntry].self, from: Data(contentsOf: try XCTUnwrap(files.first)))
        XCTAssertEqual(entries.map(\.kind), [.create])

        let server = try ContactsServer(port: port)
        defer { server.stop() }
        let api = APIClient(APIConfiguration(baseURL: base, shapeURL: base.appendingPathComponent("v1/shape"), storageDirectory: storage))
        let store = api.contacts
        XCTAssertTrue(store.items.contains(where: { $0.id == id }), "the left-over write shows at once")
        let drained = await eventually(timeout: 10) { store.pendingWrites == 0 }
        XCTAssertTrue(drained)
        XCTAssertTrue(outboxFiles(in: storage).isEmpty, "the outbox is empty once the API confirmed")
        let synced = await eventually { store.items.contains(where: { $0.id == id && $0.name == name }) }
        XCTAssertTrue(synced)
        store.stop()

        // Another restart sends nothing again.
        let again = APIClient(APIConfiguration(baseURL: base, shapeURL: base.appendingPathComponent("v1/shape"), storageDirectory: storage)).contacts
        _ = try await again.list()
        try await Task.sleep(nanoseconds: 300_000_000)
        again.stop()
        let onServer = try await APIClient(APIConfiguration(baseURL: base)).listContacts()
        XCTAssertEqual(onServer.filter { $0.name == name }.count, 1, "sent exactly once")
    }

    /// A 5xx or no answer keeps the write queued; a definite 4xx drops it.
    nonisolated func testDeliveryRules() {
        func status(_ code: Int, _ headers: [String: String] = [:]) -> Error {
            APIError<Never>(status: code, headers: headers, body: nil, rawBody: Data())
        }
        XCTAssertEqual(Delivery.classify(status(422)), .rejected)
        XCTAssertEqual(Delivery.classify(status(404)), .rejected)
        XCTAssertEqual(Delivery.classify(status(503)), .retry(after: nil))
        XCTAssertEqual(Delivery.classify(status(408)), .retry(after: nil))
        XCTAssertEqual(Delivery.classify(status(429, ["retry-after": "7"])), .retry(after: 7))
        XCTAssertEqual(Delivery.classify(TransportError(URLError(.notConnectedToInternet))), .retry(after: nil))
        XCTAssertGreaterThanOrEqual(Delivery.backoff(attempt: 0, retryAfter: 7), 7)
    }

    /// The built products (`.build/debug`), where the OfflineWriter executable is: beside the
    /// test binary.
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }
}
