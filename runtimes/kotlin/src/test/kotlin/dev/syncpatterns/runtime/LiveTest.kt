package dev.syncpatterns.runtime

import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.encodeToJsonElement
import io.ktor.http.Headers
import java.io.IOException
import java.nio.file.Files
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.time.Duration.Companion.milliseconds

@Serializable
data class Row(val id: String, val name: String)

/**
 * The outbox rules, with the API replaced by a function: rows come from a list the test holds
 * and writes go to a sender the test scripts (a real SQLite file holds the outbox).
 */
class LiveTest {
    private val server = mutableListOf<Row>()

    private fun client(send: WriteSender): Pair<LiveSync, LiveCollection<Row>> {
        val transport = HttpTransport(ClientConfig(baseUrl = "http://127.0.0.1:9"))
        val config = LiveConfig(
            databasePath = Files.createTempDirectory("live").resolve("sync.db"),
            backoff = Backoff(initial = 10.milliseconds, max = 50.milliseconds),
        )
        val sync = LiveSync(transport, config)
        val rows = sync.collection(
            name = "rows",
            keyField = "id",
            serializer = Row.serializer(),
            source = RowSource.Rest { synchronized(server) { server.map { SyncJson.encodeToJsonElement(it) } } },
            send = send,
            newKey = { JsonPrimitive("made-here") },
        )
        sync.start()
        return sync to rows
    }

    @Test
    fun aWriteShowsAtOnceAndIsReplacedByTheServersRow() = runBlocking {
        val gate = CompletableDeferred<Unit>()
        val (sync, rows) = client { entry, _ ->
            gate.await()
            val row = Row(entry.key, "server")
            synchronized(server) { server += row }
            SyncJson.encodeToJsonElement(row)
        }
        sync.use {
            rows.list()
            val created = async { rows.create(JsonObject(mapOf("name" to JsonPrimitive("local")))) }
            assertEquals(listOf(Row("made-here", "local")), withTimeout(5_000) { rows.rows.first { it.isNotEmpty() } })
            assertEquals(1, rows.status.value.pendingWrites)
            gate.complete(Unit)
            assertEquals(JsonPrimitive("server"), (created.await() as JsonObject)["name"])
            assertEquals(listOf(Row("made-here", "server")), rows.rows.value)
            assertEquals(0, rows.status.value.pendingWrites)
        }
    }

    @Test
    fun networkErrorsAnd5xxRetryButA4xxRollsBack() = runBlocking {
        val attempts = AtomicInteger()
        val (sync, rows) = client { entry, _ ->
            when (attempts.incrementAndGet()) {
                1 -> throw IOException("offline")
                2 -> throw ApiException("POST", "/rows", 503, Headers.Empty, "busy", null)
                3 -> throw ApiException("POST", "/rows", 429, Headers.Empty, "slow down", null)
                else -> throw ApiException("POST", "/rows", 422, Headers.Empty, "bad", "decoded")
            }.also { entry.hashCode() }
        }
        sync.use {
            rows.list()
            val error = assertFailsWith<ApiException> {
                rows.create(JsonObject(mapOf("name" to JsonPrimitive("x"))))
            }
            assertEquals(422, error.status)
            assertEquals("decoded", error.bodyAs<String>())
            assertEquals(4, attempts.get())
            assertEquals(emptyList(), rows.rows.value, "the optimistic row is rolled back")
        }
    }

    // live-scenario: S4 (the sender answers as the API would; the contacts server cannot be made to 503)
    @Test
    fun retryAfterIsAFloorForTheNextAttempt() = runBlocking {
        val attempts = mutableListOf<Long>()
        val (sync, rows) = client { entry, _ ->
            attempts += System.nanoTime()
            if (attempts.size == 1) {
                throw ApiException("POST", "/rows", 429, Headers.build { append("Retry-After", "1") }, "", null)
            }
            SyncJson.encodeToJsonElement(Row(entry.key, "ok"))
        }
        sync.use {
            rows.list()
            rows.create(JsonObject(mapOf("name" to JsonPrimitive("x"))))
            assertEquals(2, attempts.size, "sent once more, then delivered")
            val waited = (attempts[1] - attempts[0]) / 1_000_000
            kotlin.test.assertTrue(waited >= 1_000, "waited $waited ms")
        }
    }

    @Test
    fun updatesMergeOverTheSyncedRowUntilConfirmed() = runBlocking {
        synchronized(server) { server += Row("a", "old") }
        val gate = CompletableDeferred<Unit>()
        val (sync, rows) = client { entry, _ ->
            gate.await()
            val body = entry.body as JsonObject
            val row = Row(entry.key, (body["name"] as JsonPrimitive).content)
            synchronized(server) { server.replaceAll { if (it.id == row.id) row else it } }
            SyncJson.encodeToJsonElement(row)
        }
        sync.use {
            assertEquals(listOf(Row("a", "old")), rows.list())
            val updated = async { rows.update("a", JsonObject(mapOf("name" to JsonPrimitive("new")))) }
            assertEquals(listOf(Row("a", "new")), withTimeout(5_000) { rows.rows.first { it.first().name == "new" } })
            gate.complete(Unit)
            updated.await()
            assertEquals(listOf(Row("a", "new")), rows.rows.value)
        }
    }
}
