import XCTest
@testable import SyncRuntime

final class ShapeTests: XCTestCase {
    func testParsesChangesAndControlsWithTheSchema() async throws {
        let client = ShapeClient(
            url: URL(string: "http://127.0.0.1:1/v1/shape")!, shape: ShapeDefinition(table: "items"),
            transport: HTTPTransport(APIConfiguration(baseURL: URL(string: "http://127.0.0.1:1")!)))
        let schema = ShapeClient.parseSchema(
            #"{"id":{"type":"int8","pk_index":0},"done":{"type":"bool"},"tags":{"type":"text","dims":1},"meta":{"type":"jsonb"},"price":{"type":"numeric"}}"#)
        XCTAssertEqual(schema["tags"]?.dimensions, 1)
        let body = Data(#"""
        [{"key":"\"public\".\"items\"/\"1\"","value":{"id":"1","done":"t","tags":"{a,\"b c\",NULL}","meta":"{\"x\":1}","price":"9.5","name":null},
          "headers":{"operation":"insert","txids":[42],"relation":["public","items"]}},
         {"key":"\"public\".\"items\"/\"1\"","value":{"id":"1","done":"f"},"headers":{"operation":"update","txids":["43"]}},
         {"headers":{"control":"snapshot-end"}},
         {"headers":{"control":"up-to-date"}}]
        """#.utf8)
        await client.setSchemaForTesting(schema)
        let events = try await client.parse(body)
        guard case .changes(let changes) = events.first else { return XCTFail("no changes: \(events)") }
        XCTAssertEqual(events.last, .upToDate)
        XCTAssertEqual(changes.count, 2)
        XCTAssertEqual(changes[0].value["id"], .integer(1))
        XCTAssertEqual(changes[0].value["done"], .bool(true))
        XCTAssertEqual(changes[0].value["tags"], .array([.string("a"), .string("b c"), .null]))
        XCTAssertEqual(changes[0].value["meta"], .object(["x": .integer(1)]))
        XCTAssertEqual(changes[0].value["price"], .number(9.5))
        XCTAssertEqual(changes[0].value["name"], .null)
        XCTAssertEqual(changes[0].txids, [42])
        XCTAssertEqual(changes[1].operation, .update)
        XCTAssertEqual(changes[1].txids, [43])
    }

    func testRequestsFollowTheProtocol() async throws {
        let client = ShapeClient(
            url: URL(string: "http://127.0.0.1:1/v1/shape?token=t")!,
            shape: ShapeDefinition(table: "items", whereClause: "n + 1 > 2", columns: ["id", "n"]),
            transport: HTTPTransport(APIConfiguration(baseURL: URL(string: "http://127.0.0.1:1")!)))
        let first = await client.request().url!.absoluteString
        XCTAssertTrue(first.contains("token=t"))
        XCTAssertTrue(first.contains("table=items"))
        XCTAssertTrue(first.contains("offset=-1"))
        XCTAssertTrue(first.contains("columns=id,n"))
        XCTAssertTrue(first.contains("where=n%20%2B%201%20%3E%202"), first)
        XCTAssertFalse(first.contains("live=true"))
        XCTAssertFalse(first.contains("handle="))
    }
}

extension ShapeClient {
    func setSchemaForTesting(_ schema: [String: ColumnType]) { self.schema = schema }
}
