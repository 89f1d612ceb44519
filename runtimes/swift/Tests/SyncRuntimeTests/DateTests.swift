import XCTest
@testable import SyncRuntime

final class DateTests: XCTestCase {
    func testParsesWithAndWithoutFractions() throws {
        let plain = try XCTUnwrap(RFC3339.date(from: "2024-05-01T12:30:00Z"))
        XCTAssertEqual(plain.timeIntervalSince1970, 1_714_566_600)
        let fraction = try XCTUnwrap(RFC3339.date(from: "2024-05-01T12:30:00.250+02:00"))
        XCTAssertEqual(fraction.timeIntervalSince1970, 1_714_566_600 - 7200 + 0.25, accuracy: 1e-6)
        let postgres = try XCTUnwrap(RFC3339.date(from: "2024-05-01 12:30:00.123456+00"))
        XCTAssertEqual(postgres.timeIntervalSince1970, 1_714_566_600.123456, accuracy: 1e-6)
        XCTAssertNil(RFC3339.date(from: "2024-05-01"))
        XCTAssertNil(RFC3339.date(from: "2024-13-01T00:00:00Z"))
        XCTAssertNil(RFC3339.date(from: "2024-05-01T12:30:00"))
        XCTAssertNil(RFC3339.date(from: "2024-05-01T12:30:00Zjunk"))
    }

    func testFormatsAndRoundTripsThroughJSON() throws {
        XCTAssertEqual(RFC3339.string(from: Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.string(from: Date(timeIntervalSince1970: 1_714_566_600.5)), "2024-05-01T12:30:00.500Z")
        XCTAssertEqual(RFC3339.string(from: Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
        struct Stamp: Codable, Equatable { var at: Date; var on: CalendarDate }
        let json = Data(#"{"at":"2001-02-03T04:05:06.789Z","on":"2001-02-03"}"#.utf8)
        let stamp = try JSONCoding.decoder().decode(Stamp.self, from: json)
        XCTAssertEqual(stamp.on, CalendarDate(year: 2001, month: 2, day: 3))
        let again = try JSONCoding.decoder().decode(Stamp.self, from: JSONCoding.encoder().encode(stamp))
        XCTAssertEqual(again.at.timeIntervalSince1970, stamp.at.timeIntervalSince1970, accuracy: 1e-3)
        XCTAssertThrowsError(try JSONCoding.decoder().decode(Stamp.self, from: Data(#"{"at":"yesterday","on":"2001-02-03"}"#.utf8)))
    }

    func testNullableTellsAbsentFromNull() throws {
        struct Patch: Codable {
            var phone: Nullable<String>?
            init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                phone = try container.decodeNullable(String.self, forKey: .phone)
            }
            init(phone: Nullable<String>?) { self.phone = phone }
        }
        XCTAssertNil(try JSONCoding.decoder().decode(Patch.self, from: Data("{}".utf8)).phone)
        XCTAssertEqual(try JSONCoding.decoder().decode(Patch.self, from: Data(#"{"phone":null}"#.utf8)).phone, .null)
        XCTAssertEqual(String(decoding: try JSONCoding.encoder().encode(Patch(phone: .null)), as: UTF8.self), #"{"phone":null}"#)
        XCTAssertEqual(String(decoding: try JSONCoding.encoder().encode(Patch(phone: nil)), as: UTF8.self), "{}")
    }
}
