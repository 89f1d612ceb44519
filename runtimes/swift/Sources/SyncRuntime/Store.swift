import Foundation
import Observation

/// What the API answered a write from the outbox.
public struct WriteReply<Item: Sendable>: Sendable {
    /// The decoded reply (`Created`, `Updated`, or `()` for a delete).
    public var value: any Sendable
    /// The item in the reply, when it is one.
    public var item: Item?
    /// Response headers, names in lower case.
    public var headers: [String: String]

    public init(value: any Sendable, item: Item?, headers: [String: String]) {
        self.value = value
        self.item = item
        self.headers = headers
    }

    /// The transaction ids an ElectricSQL-compatible server reports for the write.
    public var txids: [Int64] {
        (headers["x-electric-txid"] ?? "").split(separator: ",").compactMap {
            Int64($0.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// Sends outbox entries: implemented by each generated live resource.
public protocol LiveWritable: ResourceDefinition {
    static func send(
        _ entry: OutboxEntry, transport: HTTPTransport, scope: Scope
    ) async throws -> WriteReply<Item>
}

/// The store of one resource, the same in both sync modes, for SwiftUI (`@Observable`) and for
/// code that prefers `async` calls (`list()`, `get(_:)`, `rows()`).
///
/// - push: `items` is the last list fetched; writes go to the API and update `items` when it
///   answers.
/// - live: `items` is a local collection kept in sync (Shape stream or REST polling). Writes
///   show at once, wait in a persisted outbox until the API confirms them, and roll back with
///   `error` set when the API rejects them. The `async` write calls return the API's reply
///   once it comes; cancelling the waiting task does not cancel the write.
@Observable
@MainActor
public final class ResourceStore<R: LiveWritable> {
    /// The rows, with writes not yet confirmed applied on top.
    public private(set) var items: [R.Item] = []
    /// True until the first load (or sync) finished.
    public private(set) var isLoading = true
    /// The last failure: a load, a sync, or a rejected write. Cleared by the next success.
    public private(set) var error: Error?
    public private(set) var status: ResourceStatus = .pending
    /// Writes the API has not confirmed yet (live mode).
    public private(set) var pendingWrites = 0

    @ObservationIgnored public let transport: HTTPTransport
    @ObservationIgnored public let scope: R.Scope

    @ObservationIgnored private var base = Rows<R>()
    @ObservationIgnored private var overlays: [Overlay] = []
    @ObservationIgnored private let outbox: OutboxFile?
    @ObservationIgnored private var waiters: [String: (Result<any Sendable, Error>) -> Void] = [:]
    @ObservationIgnored private var loadWaiters: [CheckedContinuation<Void, Never>] = []
    @ObservationIgnored private var loadedOnce = false
    @ObservationIgnored private var idle: CheckedContinuation<Void, Never>?
    @ObservationIgnored private var syncTask: Task<Void, Never>?
    @ObservationIgnored private var drainTask: Task<Void, Never>?
    @ObservationIgnored private var refetchSoon = false
    @ObservationIgnored private var seenTxids: Set<Int64> = []
    /// Shape changes received since the last up-to-date, applied together at the next one.
    @ObservationIgnored private var buffered: [ShapeChange] = []
    /// After a must-refetch: the new snapshot, swapped in at its up-to-date.
    @ObservationIgnored private var refetched: Rows<R>?
    @ObservationIgnored private var streams: [UUID: AsyncStream<[R.Item]>.Continuation] = [:]

    public init(transport: HTTPTransport, scope: R.Scope) {
        self.transport = transport
        self.scope = scope
        if R.mode == .live {
            let scopeText = (try? JSONCoding.encoder().encode(scope)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let configuration = transport.configuration
            outbox = OutboxFile(
                url: OutboxFile.location(
                    directory: configuration.storageDirectory, baseURL: configuration.baseURL,
                    userScope: configuration.userScope, resource: R.name, scope: scopeText))
        } else {
            outbox = nil
        }
    }

    /// Starts loading (push) or syncing and sending left-over writes (live). Idempotent; the
    /// generated client calls it when it hands out the store.
    public func start() {
        guard syncTask == nil else { return }
        if R.mode == .live, let outbox {
            overlays = outbox.load().map { Overlay(entry: $0, item: nil) }
            for index in overlays.indices { overlays[index].item = optimisticItem(overlays[index].entry) }
            publish()
            drainTask = Task { [weak self] in await self?.drain() }
        }
        syncTask = Task { [weak self] in await self?.sync() }
    }

    /// Stops syncing and sending. Unsent writes stay in the outbox for the next start.
    public func stop() {
        syncTask?.cancel()
        drainTask?.cancel()
        syncTask = nil
        drainTask = nil
        idle?.resume()
        idle = nil
    }

    /// Every item. Push: fetched from the API. Live: the local collection once it has loaded
    /// (throws the first load's error if that failed; syncing keeps retrying).
    public func list() async throws -> [R.Item] {
        start()
        if R.mode == .push {
            try await reload()
            return items
        }
        if !loadedOnce { await withCheckedContinuation { loadWaiters.append($0) } }
        if let error, status == .error { throw error }
        return items
    }

    /// Fetches the collection again now (push), or asks a REST-synced live resource to poll.
    public func refresh() async throws {
        if R.mode == .push {
            try await reload()
        } else {
            refetchSoon = true
            _ = try await list()
        }
    }

    /// The items now and after every change, for code outside SwiftUI.
    public func rows() -> AsyncStream<[R.Item]> {
        start()
        let id = UUID()
        let (stream, continuation) = AsyncStream<[R.Item]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            Task { @MainActor in self?.streams[id] = nil }
        }
        streams[id] = continuation
        continuation.yield(items)
        return stream
    }

    // MARK: Writes

    /// Live: records the write in the outbox file and shows it, synchronously; then waits for
    /// the API's answer.
    func enqueue(_ kind: OutboxEntry.Kind, key: JSONValue?, body: JSONValue?) async throws -> any Sendable {
        let id = try enqueueLocal(kind, key: key, body: body)
        return try await reply(to: id)
    }

    /// Stores and applies a write; returns its outbox id.
    func enqueueLocal(_ kind: OutboxEntry.Kind, key: JSONValue?, body: JSONValue?) throws -> String {
        start()
        let entry = OutboxEntry(kind: kind, key: key, body: body)
        var pending = outbox?.load() ?? []
        pending.append(entry)
        try outbox?.save(pending)
        overlays.append(Overlay(entry: entry, item: optimisticItem(entry)))
        publish()
        idle?.resume()
        idle = nil
        return entry.id
    }

    /// The API's answer to the write `id`, once it comes.
    func reply(to id: String) async throws -> any Sendable {
        if let result = finished.removeValue(forKey: id) { return try result.get() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters[id] = { continuation.resume(with: $0) }
        }
    }

    /// Answers for writes whose caller has not started waiting yet (`createLocal`).
    @ObservationIgnored private var finished: [String: Result<any Sendable, Error>] = [:]
    @ObservationIgnored private var local: Set<String> = []

    /// Delivers a write's outcome to its waiter, or keeps it for one that comes later.
    private func resolve(_ id: String, _ result: Result<any Sendable, Error>) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter(result)
        } else if local.remove(id) != nil {
            finished[id] = result
        }
    }

    /// Push: sends a write and applies the reply.
    func sendNow(_ entry: OutboxEntry) async throws -> any Sendable {
        do {
            let reply = try await R.send(entry, transport: transport, scope: scope)
            error = nil
            if entry.kind == .delete, let key = entry.key.flatMap({ try? $0.decode(as: R.Key.self) }) {
                base.remove(key: key)
            } else if let item = reply.item {
                base.upsert(item)
            }
            publish()
            Task { [weak self] in try? await self?.reload() }
            return reply.value
        } catch {
            self.error = error
            throw error
        }
    }

    // MARK: Loading and syncing

    private func reload() async throws {
        do {
            let rows = try await R.list(transport, scope: scope)
            base.replaceAll(rows)
            loaded(nil)
        } catch {
            loaded(error)
            throw error
        }
    }

    private func loaded(_ failure: Error?) {
        error = failure
        status = failure == nil ? .success : .error
        isLoading = false
        publish()
        if !loadedOnce {
            loadedOnce = true
            for waiter in loadWaiters { waiter.resume() }
            loadWaiters = []
        }
    }

    private func sync() async {
        switch (R.mode, R.source) {
        case (.push, _):
            try? await reload()
        case (.live, .rest):
            var attempt = 0
            while !Task.isCancelled {
                do {
                    try await reload()
                    attempt = 0
                    dropConfirmed()
                    await sleep(transport.configuration.pollInterval, unless: { self.refetchSoon })
                    refetchSoon = false
                } catch is CancellationError {
                    return
                } catch {
                    await sleep(Delivery.backoff(attempt: attempt, retryAfter: nil), unless: { false })
                    attempt += 1
                }
            }
        case (.live, .shape(let shape)):
            guard let url = transport.configuration.shapeURL else {
                loaded(ConfigurationError(
                    message: "\(R.name) streams from a sync server: set `shapeURL` in APIConfiguration"))
                return
            }
            let client = ShapeClient(
                url: url, shape: shape, parameters: transport.configuration.shapeParameters, transport: transport)
            var attempt = 0
            while !Task.isCancelled {
                do {
                    let events = try await client.poll()
                    attempt = 0
                    apply(events)
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    if case .rejected = Delivery.classify(error), !loadedOnce {
                        loaded(error)  // a shape the server refuses will not start working by itself
                    } else {
                        self.error = error
                        if !loadedOnce { loaded(error) }
                    }
                    await sleep(Delivery.reconnect(attempt: attempt), unless: { false })
                    attempt += 1
                }
            }
        }
    }

    /// Shape events: changes are held until `up-to-date` and then applied in one step, so a
    /// reader never sees half a transaction; after a must-refetch the old rows stay visible
    /// until the new snapshot is complete (docs/live-mode.md §7).
    private func apply(_ events: [ShapeEvent]) {
        for event in events {
            switch event {
            case .changes(let changes):
                buffered += changes
            case .upToDate:
                var rows = refetched ?? base
                for change in buffered {
                    seenTxids.formUnion(change.txids)
                    switch change.operation {
                    case .insert: rows.put(row: change.key, value: change.value, merge: false)
                    case .update: rows.put(row: change.key, value: change.value, merge: true)
                    case .delete: rows.remove(row: change.key)
                    }
                }
                base = rows
                buffered = []
                refetched = nil
                dropConfirmed()
                if status != .success || error != nil || isLoading { loaded(nil) } else { publish() }
            case .mustRefetch:
                buffered = []
                refetched = Rows<R>()
            }
        }
    }

    /// Confirmed writes stay on top of the synced rows until the sync brings their transaction
    /// (so the row never flickers back to its old value); without a txid they go at once.
    private func dropConfirmed() {
        let before = overlays.count
        overlays.removeAll { overlay in
            guard let txids = overlay.awaitingTxids else { return false }
            return txids.allSatisfy(seenTxids.contains)
        }
        if overlays.count != before { publish() }
    }

    // MARK: The outbox

    private func drain() async {
        var attempt = 0
        while !Task.isCancelled {
            guard let index = overlays.firstIndex(where: { $0.awaitingTxids == nil && !$0.confirmed }) else {
                await withCheckedContinuation { idle = $0 }
                continue
            }
            var entry = overlays[index].entry
            entry.attempts += 1
            overlays[index].entry = entry
            persist(entry)
            do {
                let reply = try await R.send(entry, transport: transport, scope: scope)
                attempt = 0
                confirm(entry, reply: reply)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                switch Delivery.classify(error, of: entry) {
                case .rejected:
                    reject(entry, error: error)
                case .deliveredBefore:
                    // An earlier attempt reached the API: the row is there, and the sync
                    // brings it; nothing to report.
                    confirm(entry, reply: WriteReply(value: (), item: nil, headers: [:]))
                case .deliveredUnreadable:
                    // It may have reached the API: not sent again, reported, and the sync
                    // brings whatever the server made of it.
                    confirm(entry, reply: WriteReply(value: (), item: nil, headers: [:]))
                    self.error = error
                case .retry(let after):
                    self.error = error
                    await sleep(Delivery.backoff(attempt: attempt, retryAfter: after), unless: { false })
                    attempt += 1
                }
            }
        }
    }

    private func persist(_ entry: OutboxEntry) {
        guard let outbox else { return }
        var entries = outbox.load()
        if let index = entries.firstIndex(where: { $0.id == entry.id }) { entries[index] = entry }
        do { try outbox.save(entries) } catch { self.error = error }
    }

    private func forget(_ id: String) {
        guard let outbox else { return }
        do { try outbox.save(outbox.load().filter { $0.id != id }) } catch { self.error = error }
    }

    private func confirm(_ entry: OutboxEntry, reply: WriteReply<R.Item>) {
        forget(entry.id)
        error = nil
        guard let index = overlays.firstIndex(where: { $0.entry.id == entry.id }) else { return }
        // A new row keyed on the client until the server gave it its own key: later writes
        // to it must use the server's key.
        if entry.kind == .create, let item = reply.item, let real = R.key(of: item),
           let realJSON = try? JSONValue(encoding: real), let temporary = entry.key, temporary != realJSON {
            for later in overlays.indices where overlays[later].entry.key == temporary {
                overlays[later].entry.key = realJSON
                persist(overlays[later].entry)
            }
            overlays[index].replaces = temporary
        }
        let txids = reply.txids
        if case .shape = R.source, !txids.isEmpty, !txids.allSatisfy(seenTxids.contains) {
            overlays[index].confirmed = true
            overlays[index].awaitingTxids = txids
            if let item = reply.item { overlays[index].item = item }
        } else {
            overlays.remove(at: index)
            if entry.kind == .delete, let key = entry.key.flatMap({ try? $0.decode(as: R.Key.self) }) {
                base.remove(key: key)
            } else if let item = reply.item {
                base.upsert(item)
            }
        }
        if case .rest = R.source { refetchSoon = true }
        publish()
        resolve(entry.id, .success(reply.value))
    }

    /// Rolls back a rejected write and every later unsent write to the same key, which
    /// depends on it (docs/live-mode.md §6); all their callers get the error.
    private func reject(_ entry: OutboxEntry, error: Error) {
        var dropped = [entry.id]
        if let key = entry.key, let index = overlays.firstIndex(where: { $0.entry.id == entry.id }) {
            dropped += overlays[(index + 1)...].filter { $0.entry.key == key && !$0.confirmed }.map(\.entry.id)
        }
        if let outbox {
            do { try outbox.save(outbox.load().filter { !dropped.contains($0.id) }) } catch { self.error = error }
        }
        overlays.removeAll { dropped.contains($0.entry.id) }
        self.error = error
        publish()
        for id in dropped {
            resolve(id, .failure(id == entry.id ? error : DependentWriteRejected(cause: error)))
        }
    }

    // MARK: Items

    private func optimisticItem(_ entry: OutboxEntry) -> R.Item? {
        switch entry.kind {
        case .create:
            guard var fields = entry.body?.objectValue else { return nil }
            if let key = entry.key { fields[R.keyField] = key }
            return try? JSONValue.object(fields).decode(as: R.Item.self)
        case .update, .delete:
            return nil  // computed against the current row in `publish`
        }
    }

    /// Recomputes `items` from the synced rows and the writes on top, and tells observers
    /// when they changed.
    private func publish() {
        var result = base.items
        var position: [R.Key: Int] = [:]
        for (index, item) in result.enumerated() {
            if let key = R.key(of: item) { position[key] = index }
        }
        var removed = Set<Int>()
        for overlay in overlays {
            let key = overlay.entry.key.flatMap { try? $0.decode(as: R.Key.self) }
            switch overlay.entry.kind {
            case .create:
                if let replaced = overlay.replaces.flatMap({ try? $0.decode(as: R.Key.self) }),
                   let index = position[replaced] {
                    removed.insert(index)
                }
                guard let item = overlay.item else { continue }
                let itemKey = R.key(of: item) ?? key
                if let itemKey, let index = position[itemKey] {
                    result[index] = item
                    removed.remove(index)
                } else {
                    result.append(item)
                    if let itemKey { position[itemKey] = result.count - 1 }
                }
            case .update:
                guard let key, let index = position[key] else { continue }
                if overlay.confirmed, let item = overlay.item {
                    result[index] = item
                } else if let changes = overlay.entry.body?.objectValue,
                          var fields = (try? JSONValue(encoding: result[index]))?.objectValue {
                    for (name, value) in changes { fields[name] = value }
                    if let merged = try? JSONValue.object(fields).decode(as: R.Item.self) { result[index] = merged }
                }
            case .delete:
                guard let key, let index = position[key] else { continue }
                removed.insert(index)
            }
        }
        if !removed.isEmpty {
            result = result.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        }
        let pending = overlays.filter { !$0.confirmed }.count
        if pendingWrites != pending { pendingWrites = pending }
        if result != items {
            items = result
            for stream in streams.values { stream.yield(result) }
        }
    }

    private func sleep(_ seconds: TimeInterval, unless wake: @MainActor () -> Bool) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !Task.isCancelled, Date() < deadline, !wake() {
            try? await Task.sleep(nanoseconds: UInt64(min(0.1, max(0, deadline.timeIntervalSinceNow)) * 1e9))
        }
    }

    private struct Overlay {
        var entry: OutboxEntry
        /// The row as the write makes it (create), or the API's reply once confirmed.
        var item: R.Item?
        var confirmed = false
        /// Confirmed, and waiting for the sync to bring these transactions.
        var awaitingTxids: [Int64]?
        /// For a create whose row the server keyed differently: the client's key.
        var replaces: JSONValue?
    }
}

extension ResourceStore where R: GettableResource {
    /// The item with this key. Live: from the local collection once loaded, else from the API.
    public func get(_ key: R.Key) async throws -> R.Item {
        if R.mode == .live {
            let local = try await list()
            if let item = local.first(where: { R.key(of: $0) == key }) { return item }
        }
        do {
            return try await R.get(transport, scope: scope, key: key)
        } catch {
            if R.mode == .push { self.error = error }
            throw error
        }
    }
}

extension ResourceStore where R: CreatableResource {
    /// Creates an item and returns the API's reply. Live: the row shows at once (keyed on the
    /// client where the key type allows) and the call returns once the API confirms it.
    @discardableResult
    public func create(_ body: R.Create) async throws -> R.Created {
        let (key, json) = try Self.createBody(body)
        let entry = OutboxEntry(kind: .create, key: key, body: json)
        let reply = R.mode == .live
            ? try await enqueue(.create, key: entry.key, body: entry.body)
            : try await sendNow(entry)
        return try Self.cast(reply)
    }

    /// Like `create`, but returns once the row shows (live), with the task that gives the
    /// API's reply later.
    public func createLocal(_ body: R.Create) throws -> Task<R.Created, Error> {
        let (key, json) = try Self.createBody(body)
        return try local(.create, key: key, body: json)
    }

    /// The create body as JSON, with a key made on the client where the key type allows.
    fileprivate static func createBody(_ body: R.Create) throws -> (JSONValue?, JSONValue) {
        var json = try JSONValue(encoding: body).objectValue ?? [:]
        var key = json[R.keyField].flatMap { $0 == .null ? nil : $0 }
        if key == nil, R.mode == .live, let made = R.newKey() {
            let madeJSON = try JSONValue(encoding: made)
            key = madeJSON
            if R.createCarriesKey { json[R.keyField] = madeJSON }
        }
        return (key, .object(json))
    }
}

extension ResourceStore where R: UpdatableResource {
    /// Changes an item and returns the API's reply. Live: shown at once, rolled back if the
    /// API rejects it.
    @discardableResult
    public func update(_ key: R.Key, _ changes: R.Changes) async throws -> R.Updated {
        let keyJSON = try JSONValue(encoding: key)
        let body = try JSONValue(encoding: changes)
        let reply = R.mode == .live
            ? try await enqueue(.update, key: keyJSON, body: body)
            : try await sendNow(OutboxEntry(kind: .update, key: keyJSON, body: body))
        return try Self.cast(reply)
    }

    /// Like `update`, but returns once the change shows (live), with the task that gives the
    /// API's reply later.
    public func updateLocal(_ key: R.Key, _ changes: R.Changes) throws -> Task<R.Updated, Error> {
        try local(.update, key: try JSONValue(encoding: key), body: try JSONValue(encoding: changes))
    }
}

extension ResourceStore where R: DeletableResource {
    /// Deletes an item. Live: it disappears at once and comes back if the API refuses.
    public func delete(_ key: R.Key) async throws {
        let keyJSON = try JSONValue(encoding: key)
        if R.mode == .live {
            _ = try await enqueue(.delete, key: keyJSON, body: nil)
        } else {
            _ = try await sendNow(OutboxEntry(kind: .delete, key: keyJSON, body: nil))
        }
    }

    /// Like `delete`, but returns once the row is gone (live), with the task that completes
    /// when the API confirms.
    public func deleteLocal(_ key: R.Key) throws -> Task<Void, Error> {
        let task: Task<Void, Error> = try local(.delete, key: try JSONValue(encoding: key), body: nil)
        return task
    }
}

extension ResourceStore {
    /// Live: applies a write now and returns the task that waits for the API's answer (push:
    /// the task sends it). Either way `items` shows a live write before this returns.
    func local<T>(_ kind: OutboxEntry.Kind, key: JSONValue?, body: JSONValue?) throws -> Task<T, Error> {
        if R.mode == .live {
            let id = try enqueueLocal(kind, key: key, body: body)
            self.local.insert(id)
            return Task { try Self.cast(try await self.reply(to: id)) }
        }
        let entry = OutboxEntry(kind: kind, key: key, body: body)
        return Task { try Self.cast(try await self.sendNow(entry)) }
    }

    fileprivate static func cast<T>(_ value: any Sendable) throws -> T {
        guard let typed = value as? T else {
            throw RequestEncodingError("the API's reply is not a \(T.self)")
        }
        return typed
    }
}

extension CreatableResource {
    /// Sends a create from the outbox (`body` is the JSON of a `Create`).
    public static func sendCreate(
        _ entry: OutboxEntry, transport: HTTPTransport, scope: Scope
    ) async throws -> WriteReply<Item> {
        let body = try (entry.body ?? .null).decode(as: Create.self)
        let reply = try await create(transport, scope: scope, body: body, headers: ["Idempotency-Key": entry.id])
        return WriteReply(value: reply.value, item: item(created: reply.value), headers: reply.headers)
    }
}

extension UpdatableResource {
    /// Sends an update from the outbox.
    public static func sendUpdate(
        _ entry: OutboxEntry, transport: HTTPTransport, scope: Scope
    ) async throws -> WriteReply<Item> {
        let key = try (entry.key ?? .null).decode(as: Key.self)
        let changes = try (entry.body ?? .null).decode(as: Changes.self)
        let reply = try await update(
            transport, scope: scope, key: key, changes: changes, headers: ["Idempotency-Key": entry.id])
        return WriteReply(value: reply.value, item: item(updated: reply.value), headers: reply.headers)
    }
}

extension DeletableResource {
    /// Sends a delete from the outbox.
    public static func sendDelete(
        _ entry: OutboxEntry, transport: HTTPTransport, scope: Scope
    ) async throws -> WriteReply<Item> {
        let key = try (entry.key ?? .null).decode(as: Key.self)
        let reply = try await delete(transport, scope: scope, key: key, headers: ["Idempotency-Key": entry.id])
        return WriteReply(value: (), item: nil, headers: reply.headers)
    }
}

/// A write that was never sent because an earlier write to the same item was rejected.
public struct DependentWriteRejected: Error, CustomStringConvertible {
    /// The rejection of the earlier write.
    public var cause: Error

    public var description: String { "not sent: an earlier write to this item was rejected (\(cause))" }
}

/// The synced rows in arrival order, by Electric row key (Shape) or by item key (REST), with
/// at most one row per item key: a REST reply and the synced row of the same item are one row.
struct Rows<R: ResourceDefinition> {
    private var order: [String] = []
    private var values: [String: [String: JSONValue]] = [:]
    private var decoded: [String: R.Item] = [:]
    private var byKey: [R.Key: String] = [:]

    var items: [R.Item] { order.compactMap { decoded[$0] } }

    mutating func replaceAll(_ items: [R.Item]) {
        self = Rows()
        for item in items { upsert(item) }
    }

    /// An item from the API (a list or a write's reply).
    mutating func upsert(_ item: R.Item) {
        let key = R.key(of: item)
        let id = key.flatMap { byKey[$0] } ?? key.flatMap(Self.keyID) ?? "row:" + UUID().uuidString
        store(id, fields: (try? JSONValue(encoding: item))?.objectValue ?? [:], item: item)
    }

    /// A row from the Shape stream; an update carries only the changed columns.
    mutating func put(row id: String, value: [String: JSONValue], merge: Bool) {
        var fields = merge ? values[id] ?? [:] : [:]
        for (name, item) in value { fields[name] = item }
        // A row the item type cannot describe stays out of `items` rather than failing the sync.
        store(id, fields: fields, item: try? JSONValue.object(fields).decode(as: R.Item.self))
    }

    mutating func remove(row id: String) {
        guard values.removeValue(forKey: id) != nil else { return }
        if let key = decoded.removeValue(forKey: id).flatMap(R.key(of:)), byKey[key] == id { byKey[key] = nil }
        order.removeAll { $0 == id }
    }

    mutating func remove(key: R.Key) {
        if let id = byKey[key] { remove(row: id) }
    }

    private mutating func store(_ id: String, fields: [String: JSONValue], item: R.Item?) {
        if let key = item.flatMap(R.key(of:)), let other = byKey[key], other != id {
            remove(row: other)  // the same item under another row id (a reply, then its synced row)
        }
        if values[id] == nil { order.append(id) }
        if let old = decoded[id].flatMap(R.key(of:)), byKey[old] == id { byKey[old] = nil }
        values[id] = fields
        decoded[id] = item
        if let key = item.flatMap(R.key(of:)) { byKey[key] = id }
    }

    private static func keyID(_ key: R.Key) -> String? {
        (try? JSONCoding.encoder().encode(key)).map { "key:" + String(decoding: $0, as: UTF8.self) }
    }
}

/// One store per resource and scope for a client, so every view of a resource shares its
/// rows, sync and outbox.
@MainActor
public final class StoreRegistry {
    private var stores: [String: AnyObject] = [:]

    public nonisolated init() {}

    /// The store of `resource` for `scope`, made and started on first use.
    public func store<R: LiveWritable>(for resource: R.Type, scope: R.Scope, transport: HTTPTransport) -> ResourceStore<R> {
        let scopeText = (try? JSONCoding.encoder().encode(scope)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let id = "\(R.name)\u{0}\(scopeText)"
        if let store = stores[id] as? ResourceStore<R> { return store }
        let store = ResourceStore<R>(transport: transport, scope: scope)
        stores[id] = store
        store.start()
        return store
    }
}
