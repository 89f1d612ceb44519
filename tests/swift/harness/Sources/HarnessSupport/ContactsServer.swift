import Foundation

/// A real contacts-server (the repo's example server: REST API and Electric Shape endpoint)
/// on a loopback port, with its own SQLite file, started and stopped by the test.
public final class ContactsServer: @unchecked Sendable {
    public let port: Int
    public let url: URL
    private let process: Process
    private let directory: URL

    /// Starts the server on `port` (0: a free one) and waits until it listens.
    public init(port: Int = 0, directory: URL? = nil) throws {
        guard let binary = ProcessInfo.processInfo.environment["CONTACTS_SERVER"] else {
            throw HarnessError("CONTACTS_SERVER is not set: run the tests through tests/swift/run.sh")
        }
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        let process = Process()
        // Relative to the package, where the tests run.
        process.executableURL = URL(fileURLWithPath: binary, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        process.arguments = [
            "--port", String(port), "--database-url", "sqlite:\(directory.path)/contacts.db", "--reset",
            "--long-poll-ms", "2000",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var text = ""
        let deadline = Date().addingTimeInterval(15)
        while !text.contains("\n"), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://"),
              let found = URL(string: String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)),
              let foundPort = found.port
        else {
            process.terminate()
            throw HarnessError("contacts-server did not start: \(text)")
        }
        url = found
        self.port = foundPort
    }

    /// The Electric Shape endpoint.
    public var shapeURL: URL { url.appendingPathComponent("v1/shape") }

    /// Freezes the server (SIGSTOP): connections are accepted by the kernel but not answered.
    public func pause() { kill(process.processIdentifier, SIGSTOP) }

    /// Lets a paused server go on (SIGCONT).
    public func resume() { kill(process.processIdentifier, SIGCONT) }

    public func stop() {
        guard process.isRunning else { return }
        resume()
        process.terminate()
        // Not `waitUntilExit()`, which spins the current run loop and can wait forever off
        // the main thread.
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit {
        if process.isRunning { stop() }
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// A fresh directory for a client's outboxes.
public func scratchDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every outbox file under `directory`.
public func outboxFiles(in directory: URL) -> [URL] {
    guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { $0 as? URL }.filter { $0.lastPathComponent.hasSuffix(".outbox.json") }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
@MainActor
public func eventually(timeout: TimeInterval = 5, _ condition: @MainActor () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return try await condition()
}
