import ContactsPush
import Foundation
import HarnessSupport
import XCTest

/// The plain client functions, one per operation, against the real server.
@MainActor
final class PushOnlyTests: XCTestCase {
    func testEveryOperationRoundTrips() async throws {
        let server = try ContactsServer()
        defer { server.stop() }
        let api = APIClient(APIConfiguration(baseURL: server.url))
        let id = UUID()
        let response = try await api.transport.send(
            APIOperations.createContact(body: NewContact(id: id, name: "Linus", email: "linus@kernel.org")))
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.value.id, id)
        XCTAssertNotNil(response.header("X-Electric-Txid").flatMap(Int.init), "response headers are reachable")
        _ = try await api.createContact(body: NewContact(name: "Margaret", email: "margaret@nasa.gov", phone: "1"))

        let all = try await api.listContacts()
        XCTAssertEqual(all.map(\.name), ["Linus", "Margaret"])
        let patched = try await api.updateContact(id: id, body: ContactPatch(phone: .value("+358")))
        XCTAssertEqual(patched.phone, "+358")
        XCTAssertEqual(patched.name, "Linus")

        let analytics = try await api.getAnalytics()
        XCTAssertEqual(analytics.totalContacts, 2)
        XCTAssertEqual(analytics.withPhone, 2)
        XCTAssertEqual(Set(analytics.emailDomains.map(\.domain)), ["kernel.org", "nasa.gov"])

        do {
            _ = try await api.createContact(body: NewContact(id: id, name: "Again", email: "again@example.com"))
            XCTFail("the id is taken")
        } catch let error as APIError<ValidationErrors> {
            XCTAssertEqual(error.status, 409)
            XCTAssertEqual(error.body?.errors.first?.field, "id")
        }
        try await api.deleteContact(id: id)
        let remaining = try await api.listContacts()
        XCTAssertEqual(remaining.count, 1)
    }

    func testNoServerIsATransportError() async throws {
        let server = try ContactsServer()
        let url = server.url
        server.stop()
        let api = APIClient(APIConfiguration(baseURL: url, timeout: 2))
        do {
            _ = try await api.listContacts()
            XCTFail("nothing listens")
        } catch is TransportError {}
    }
}
