// Makes one live write while the API is unreachable, waits until it is in the outbox file,
// and exits without it being sent: the first half of "offline writes survive a restart".
// Usage: OfflineWriter <base-url> <storage-dir> <contact-id> <name>
import ContactsLive
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 5, let base = URL(string: arguments[1]), let id = UUID(uuidString: arguments[3]) else {
    FileHandle.standardError.write(Data("usage: OfflineWriter <base-url> <storage-dir> <contact-id> <name>\n".utf8))
    exit(2)
}
let storage = URL(fileURLWithPath: arguments[2])

@MainActor
func write() async {
    let api = APIClient(
        APIConfiguration(
            baseURL: base, shapeURL: base.appendingPathComponent("v1/shape"), storageDirectory: storage, timeout: 2))
    let store = api.contacts
    Task { try? await store.create(NewContact(id: id, name: arguments[4], email: "offline@example.com")) }
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
        // Shown at once, persisted, and at least one attempt failed for want of a server.
        if store.items.contains(where: { $0.id == id }), store.pendingWrites == 1, store.error != nil { break }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    guard store.items.contains(where: { $0.id == id }) else {
        FileHandle.standardError.write(Data("the offline write never showed in the store\n".utf8))
        exit(1)
    }
    exit(0)
}

Task { await write() }
dispatchMain()
