import Foundation

/// A write of a live resource on its way to the API, as kept in the outbox file.
public struct OutboxEntry: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case create, update, delete }

    /// Unique per write; sent as the `Idempotency-Key` header on every attempt.
    public var id: String
    public var kind: Kind
    /// The item's key as JSON (for a create: the key made on the client, when there is one).
    public var key: JSONValue?
    /// The request body as JSON (create and update).
    public var body: JSONValue?
    /// Attempts started so far, counted before each is sent: more than one means an earlier
    /// attempt may have reached the server.
    public var attempts: Int

    public init(id: String = UUID().uuidString, kind: Kind, key: JSONValue?, body: JSONValue?, attempts: Int = 0) {
        self.id = id
        self.kind = kind
        self.key = key
        self.body = body
        self.attempts = attempts
    }
}

/// The unconfirmed writes of one live collection, oldest first, kept in a JSON file that is
/// replaced atomically (written beside it, then renamed over it) on every change, so a crash
/// leaves either the old list or the new one, never a torn file.
public final class OutboxFile: @unchecked Sendable {
    public let url: URL
    private let lock = NSLock()
    private var cached: [OutboxEntry]?

    public init(url: URL) {
        self.url = url
    }

    /// Where a resource's outbox lives (docs/outbox.md §1): format `v1`, then the API's base URL
    /// (without trailing slashes), the user scope and the collection, so writes are only ever
    /// replayed against the API and for the user that made them.
    public static func location(
        directory: URL?, baseURL: URL, userScope: String, resource: String, scope: String
    ) -> URL {
        scopeDirectory(directory: directory, baseURL: baseURL, userScope: userScope)
            .appendingPathComponent(safeName(resource) + "-" + stableHash(scope) + ".outbox.json")
    }

    /// Deletes every queued write of this base URL and user scope, sent or not: call it at
    /// sign-out (docs/outbox.md §1).
    public static func clearUserScope(directory: URL?, baseURL: URL, userScope: String) throws {
        let folder = scopeDirectory(directory: directory, baseURL: baseURL, userScope: userScope)
        if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
    }

    static func scopeDirectory(directory: URL?, baseURL: URL, userScope: String) -> URL {
        let root = directory ?? FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask).first
            ?? FileManager.default.temporaryDirectory
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return root.appendingPathComponent("sync-patterns", isDirectory: true)
            .appendingPathComponent("v1", isDirectory: true)
            .appendingPathComponent(safeName(base), isDirectory: true)
            .appendingPathComponent(safeName(userScope), isDirectory: true)
    }

    /// The entries on disk (an unreadable file counts as empty, after being set aside so its
    /// writes are not lost silently).
    public func load() -> [OutboxEntry] {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        guard let data = try? Data(contentsOf: url) else {
            cached = []
            return []
        }
        do {
            let entries = try JSONDecoder().decode([OutboxEntry].self, from: data)
            cached = entries
            return entries
        } catch {
            let aside = url.appendingPathExtension("unreadable-\(Int(Date().timeIntervalSince1970))")
            try? FileManager.default.moveItem(at: url, to: aside)
            cached = []
            return []
        }
    }

    /// Replaces the file's entries.
    public func save(_ entries: [OutboxEntry]) throws {
        lock.lock()
        defer { lock.unlock() }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if entries.isEmpty {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        } else {
            try JSONCoding.encoder().encode(entries).write(to: url, options: .atomic)
        }
        cached = entries
    }

    static func safeName(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let cleaned = String(text.map { allowed.contains($0) ? $0 : "_" }.prefix(60))
        return cleaned + "-" + stableHash(text)
    }

    /// FNV-1a, 64 bits, in hex: the same on every run and platform (unlike `hashValue`).
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// What to do with a write after an attempt failed.
public enum Delivery: Equatable, Sendable {
    /// The API refused it for good: drop it and roll back.
    case rejected
    /// Try again later, no sooner than the given number of seconds (from `Retry-After`).
    case retry(after: TimeInterval?)
    /// A 2xx that did not decode (or a bug sending it): it may have reached the API, so it is
    /// not sent again; it is reported.
    case deliveredUnreadable
    /// A `409` to a create whose earlier attempt may have reached the API (docs/outbox.md §2):
    /// the conflict is with itself, so it counts as delivered, reply unknown, with no error.
    case deliveredBefore
}

extension Delivery {
    /// [`classify(_:now:)`], knowing the write: a `409` to a create that was attempted before
    /// (`attempts` counts this attempt too) is a replay of a write the API has, not a conflict.
    public static func classify(_ error: Error, of entry: OutboxEntry, now: Date = Date()) -> Delivery {
        let outcome = classify(error, now: now)
        if outcome == .rejected, entry.kind == .create, entry.attempts > 1,
            (error as? HTTPStatusError)?.status == 409
        {
            return .deliveredBefore
        }
        return outcome
    }

    /// Only a definite answer drops a write: a 4xx other than 408 (timeout), 425 (too early)
    /// and 429 (too many requests). No answer, a 5xx, and those three keep it queued.
    public static func classify(_ error: Error, now: Date = Date()) -> Delivery {
        if error is ResponseDecodingError || error is RequestEncodingError || error is DecodingError {
            return .deliveredUnreadable
        }
        if let error = error as? HTTPStatusError {
            let retryAfter = error.headers["retry-after"].flatMap { parseRetryAfter($0, now: now) }
            switch error.status {
            case 408, 425, 429: return .retry(after: retryAfter)
            case 400..<500: return .rejected
            default: return .retry(after: retryAfter)
            }
        }
        return .retry(after: nil)
    }

    /// `Retry-After` as delta-seconds or an HTTP-date.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = TimeInterval(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// The wait after failed attempt `attempt` (from 0), as docs/outbox.md §4 defines it:
    /// `min(30 s, 0.5 s × 2^min(n, 6))`, a uniformly random time in `[base / 2, base]`, and
    /// never less than the server's `Retry-After`.
    public static func backoff(attempt: Int, retryAfter: TimeInterval?) -> TimeInterval {
        let base = min(30, 0.5 * pow(2, Double(min(attempt, 6))))
        return max(Double.random(in: (base / 2)...base), retryAfter ?? 0)
    }

    /// The wait before reconnecting a sync stream (docs/live-mode.md §7): from 100 ms doubling
    /// to 30 s, with the same jitter.
    public static func reconnect(attempt: Int) -> TimeInterval {
        let base = min(30, 0.1 * pow(2, Double(min(attempt, 9))))
        return Double.random(in: (base / 2)...base)
    }
}
