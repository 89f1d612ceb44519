// One test body, compiled twice: against the live output (LiveTests, `-D LIVE`) and against
// the same spec flipped to push (PushTests). The calls are identical; only expectations about
// timing differ, and those are asserted in the mode-specific files.
import Foundation
import HarnessSupport
import Observation
import XCTest

#if LIVE
@testable import ContactsLive
let expectedMode = SyncMode.live
#else
@testable import ContactsPush
let expectedMode = SyncMode.push
#endif

@MainActor
final class ContactsBodyTests: XCTestCase {
    var server: ContactsServer!
    var api: APIClient!

    override func setUp() async throws {
        server = try ContactsServer()
        api = APIClient(
            APIConfiguration(
                baseURL: server.url, shapeURL: server.shapeURL, storageDirectory: scratchDirectory("body")))
    }

    override func tearDown() async throws {
        api.contacts.stop()
        server.stop()
    }

    nonisolated func testTheResourceHasTheExpectedMode() {
        XCTAssertEqual(ContactsResource.mode, expectedMode)
    }

    /// Create, read, update, delete through the store; each step is visible in `items` and on
    /// the server.
    func testStoreRoundTrip() async throws {
        let store = api.contacts
        let initial = try await store.list()
        XCTAssertEqual(initial, [])
        let id = UUID()
        let created = try await store.create(NewContact(id: id, name: "Ada", email: "ada@example.com", phone: "+1 555"))
        XCTAssertEqual(created.id, id)
        XCTAssertEqual(created.phone, "+1 555")
        XCTAssertTrue(store.items.contains(created))
        let fetched = try await api.getContact(id: id)
        XCTAssertEqual(fetched, created)

        let updated = try await store.update(id, ContactPatch(name: "Ada Lovelace", phone: .null))
        XCTAssertEqual(updated.name, "Ada Lovelace")
        XCTAssertNil(updated.phone, "an explicit null clears the phone")
        XCTAssertEqual(updated.email, "ada@example.com", "fields left out stay as they were")
        let synced = await eventually { store.items.first(where: { $0.id == id })?.name == "Ada Lovelace" }
        XCTAssertTrue(synced)
        let got = try await store.get(id)
        XCTAssertEqual(got, updated)

        try await store.delete(id)
        let gone = await eventually { !store.items.contains(where: { $0.id == id }) }
        XCTAssertTrue(gone)
        do {
            _ = try await api.getContact(id: id)
            XCTFail("the contact was deleted")
        } catch let error as APIError<Never> {
            XCTAssertEqual(error.status, 404)
        }
        XCTAssertEqual(store.status, .success)
        XCTAssertFalse(store.isLoading)
        XCTAssertNil(store.error)
    }

    /// A write the API rejects throws its decoded error body, sets `error`, and leaves no
    /// trace in `items` (live: after showing optimistically).
    func testRejectedWriteRollsBackWithItsError() async throws {
        let store = api.contacts
        _ = try await store.list()
        let seen = Snapshots()
        let reader = Task { @MainActor in
            for await snapshot in store.rows() { seen.all.append(snapshot) }
        }
        defer { reader.cancel() }
        _ = await eventually { !seen.all.isEmpty }
        let id = UUID()
        do {
            try await store.create(NewContact(id: id, name: "", email: "not an email"))
            XCTFail("the API rejects an empty name")
        } catch let error as APIError<ValidationErrors> {
            XCTAssertEqual(error.status, 422)
            let fields = Set(error.body?.errors.map(\.field) ?? [])
            XCTAssertEqual(fields, ["name", "email"])
        }
        XCTAssertFalse(store.items.contains(where: { $0.id == id }))
        XCTAssertNotNil(store.error as? APIError<ValidationErrors>)
        XCTAssertEqual(store.pendingWrites, 0)
        // What `rows()` saw: live showed the row and then took it back; push never showed it.
        let expected = expectedMode == .live ? [[], [id], []] : [[UUID]]([[]])
        let settled = await eventually(timeout: 2) { seen.all.map { $0.map(\.id) } == expected }
        XCTAssertTrue(settled, "rows() yielded \(seen.all.map { $0.map(\.id) })")
    }

    /// `withObservationTracking` fires for every change to `items`: a create, an update and a
    /// delete are three changes.
    func testObservationFiresOnEachChange() async throws {
        let store = api.contacts
        _ = try await store.list()
        let counter = ChangeCounter()
        counter.watch(store)
        let id = UUID()
        try await store.create(NewContact(id: id, name: "Grace", email: "grace@example.com"))
        let afterCreate = await eventually { counter.count >= 1 && store.items.contains(where: { $0.id == id }) }
        XCTAssertTrue(afterCreate)
        let base = counter.count
        try await store.update(id, ContactPatch(email: "grace@navy.mil"))
        let afterUpdate = await eventually { counter.count > base && store.items.first?.email == "grace@navy.mil" }
        XCTAssertTrue(afterUpdate)
        let beforeDelete = counter.count
        try await store.delete(id)
        let afterDelete = await eventually { counter.count > beforeDelete && store.items.isEmpty }
        XCTAssertTrue(afterDelete)
        XCTAssertGreaterThanOrEqual(counter.count, 3)
    }
}

/// Counts `items` changes the way SwiftUI sees them: re-registering after every change.
@MainActor
final class ChangeCounter {
    private(set) var count = 0

    func watch(_ store: ContactsStore) {
        withObservationTracking {
            _ = store.items
        } onChange: { [weak self] in
            Task { @MainActor in
                guard let self else { return }
                self.count += 1
                self.watch(store)
            }
        }
    }
}

@MainActor
final class Snapshots {
    var all: [[Contact]] = []
}
