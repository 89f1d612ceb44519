package contacts.test

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** The sync mode of the generated client under test: `shape`, `rest` or `push`. */
val mode: String = System.getProperty("contacts.mode") ?: error("run through Maven: contacts.mode is not set")

val isLive: Boolean get() = mode != "push"

/**
 * A real contacts-server (examples/contacts) on loopback, on its own SQLite file. [port] 0
 * picks a free one; pass a previous server's port and [database] to restart it.
 */
class ContactsServer(
    val database: Path = Files.createTempDirectory("contacts").resolve("contacts.db"),
    port: Int = 0,
    reset: Boolean = true,
    tokens: List<String> = emptyList(),
) : AutoCloseable {
    private val process: Process
    val url: String

    init {
        val binary = System.getProperty("contacts.server") ?: error("contacts.server is not set")
        val command = mutableListOf(
            binary, "--port", port.toString(), "--database-url", "sqlite:$database", "--long-poll-ms", "1000",
        )
        if (reset) command += "--reset"
        for (token in tokens) command += listOf("--token", token)
        process = ProcessBuilder(command).redirectErrorStream(true).start()
        val output = BufferedReader(InputStreamReader(process.inputStream))
        var found: String? = null
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15)
        while (found == null && System.nanoTime() < deadline) {
            val line = output.readLine() ?: break
            found = Regex("http://[^\\s]+").find(line)?.value
        }
        url = found ?: run {
            process.destroyForcibly()
            error("contacts-server printed no URL")
        }
        // Keep draining its output so the server never blocks on a full pipe.
        Thread { output.lineSequence().forEach { _ -> } }.apply { isDaemon = true }.start()
    }

    val port: Int get() = URI(url).port

    /** `GET path` with Java's own HTTP client: what the server holds, seen around the client under test. */
    fun get(path: String, token: String? = null): String {
        val request = HttpRequest.newBuilder(URI(url + path)).apply {
            if (token != null) header("Authorization", "Bearer $token")
        }.build()
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }
}

/** A fresh outbox file. */
fun tempDatabase(): Path = Files.createTempDirectory("outbox").resolve("sync.db")
