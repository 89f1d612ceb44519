package contacts.test

import contacts.client.Api
import contacts.client.ContactPatch
import contacts.client.NewContact
import contacts.client.ValidationErrors
import contacts.client.runtime.ApiException
import contacts.client.runtime.ClientConfig
import contacts.client.runtime.LiveConfig
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assumptions.assumeTrue
import java.io.File
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.seconds

/**
 * What live mode adds: writes show before the server has them, other clients see them through
 * the Shape stream, a rejected write rolls back, and queued writes survive a JVM restart.
 */
class LiveTest {
    /** Holds every request of the client it is installed in while closed. */
    private class Gate {
        @Volatile
        var closed: CompletableDeferred<Unit>? = null

        suspend fun pass() {
            closed?.await()
        }
    }

    private fun client(server: ContactsServer, database: Path = tempDatabase(), gate: Gate? = null) = Api(
        ClientConfig(baseUrl = server.url, auth = { gate?.pass(); emptyMap() }),
        LiveConfig(databasePath = database, pollInterval = 1.seconds),
    )

    // live-scenario: S1 (the client holds its requests instead of the server delaying its answer)
    @Test
    fun aCreateShowsBeforeTheServerAnswers() = runBlocking {
        assumeTrue(isLive, "live mode only")
        ContactsServer().use { server ->
            val gate = Gate()
            client(server, gate = gate).use { api ->
                api.contacts.list()
                val held = CompletableDeferred<Unit>()
                gate.closed = held
                val created = async { api.contacts.create(NewContact(name = "Optimistic", email = "o@example.com")) }
                val shown = withTimeout(5_000) { api.contacts.watch().first { rows -> rows.any { it.name == "Optimistic" } } }
                assertEquals(1, api.contacts.status.value.pendingWrites)
                assertFalse(server.get("/contacts").contains("Optimistic"), "the server does not have it yet")
                gate.closed = null
                held.complete(Unit)
                val confirmed = created.await()
                assertEquals(shown.single().id, confirmed.id, "the key made on the client is the server's")
                assertTrue(server.get("/contacts").contains(confirmed.id))
                assertEquals(0, api.contacts.status.value.pendingWrites)
            }
        }
    }

    // live-scenario: S7
    @Test
    fun aSecondClientSeesTheWriteThroughTheShapeWithinOneSecond() = runBlocking {
        assumeTrue(mode == "shape", "shape mode only")
        ContactsServer().use { server ->
            client(server).use { writer ->
                client(server).use { reader ->
                    reader.contacts.list()
                    writer.contacts.list()
                    val created = writer.contacts.create(NewContact(name = "Streamed", email = "s@example.com"))
                    val started = System.nanoTime()
                    withTimeout(1_000) { reader.contacts.watch().first { rows -> rows.any { it.id == created.id } } }
                    println("shape: second client saw the write after ${(System.nanoTime() - started) / 1_000_000} ms")
                }
            }
        }
    }

    // live-scenario: S3
    @Test
    fun aRejectedCreateRollsBackWithItsErrorAndTakesItsDependents() = runBlocking {
        assumeTrue(isLive, "live mode only")
        ContactsServer().use { server ->
            val gate = Gate()
            client(server, gate = gate).use { api ->
                api.contacts.list()
                val held = CompletableDeferred<Unit>()
                gate.closed = held
                val create = async {
                    runCatching { api.contacts.create(NewContact(name = "Invalid", email = "nope")) }
                }
                val row = withTimeout(5_000) {
                    api.contacts.watch().first { rows -> rows.any { it.name == "Invalid" } }
                }.single()
                // An update of the row queued behind its create, which will be rejected.
                val update = async { runCatching { api.contacts.update(row.id, ContactPatch(name = "Later")) } }
                withTimeout(5_000) { api.contacts.status.first { it.pendingWrites == 2 } }
                gate.closed = null
                held.complete(Unit)
                val error = create.await().exceptionOrNull() as? ApiException ?: error("the create must fail")
                assertEquals(422, error.status)
                assertEquals("email", assertNotNull(error.bodyAs<ValidationErrors>()).errors.single().field)
                assertEquals(error, update.await().exceptionOrNull(), "the dependent update fails with it, unsent")
                assertEquals(emptyList(), api.contacts.watch().first(), "the optimistic row is gone")
                assertEquals(0, api.contacts.status.value.pendingWrites)
                assertFalse(server.get("/contacts").contains("Later"))
            }
        }
    }

    // live-scenario: S8
    @Test
    fun aUserScopeNeitherShowsNorSendsAnothersWrites() = runBlocking {
        assumeTrue(isLive, "live mode only")
        ContactsServer().use { server ->
            val database = tempDatabase()
            val gate = Gate()
            gate.closed = CompletableDeferred()
            val alice = Api(
                ClientConfig(baseUrl = server.url, auth = { gate.pass(); emptyMap() }),
                LiveConfig(databasePath = database, userScope = "alice"),
            )
            alice.use {
                launch { runCatching { alice.contacts.create(NewContact(name = "Alice's", email = "a@example.com")) } }
                withTimeout(5_000) { alice.contacts.status.first { it.pendingWrites == 1 } }
            }
            Api(ClientConfig(baseUrl = server.url), LiveConfig(databasePath = database, userScope = "bob")).use { bob ->
                assertEquals(0, bob.contacts.status.value.pendingWrites)
                assertEquals(emptyList(), bob.contacts.list())
            }
            val blocked = Gate()
            blocked.closed = CompletableDeferred()
            Api(
                ClientConfig(baseUrl = server.url, auth = { blocked.pass(); emptyMap() }),
                LiveConfig(databasePath = database, userScope = "alice"),
            ).use { again ->
                assertEquals(1, again.contacts.status.value.pendingWrites, "alice's write is still queued")
                again.clearUserScope()
                assertEquals(0, again.contacts.status.value.pendingWrites)
                assertTrue(again.contacts.watch().first().none { it.name == "Alice's" })
            }
            assertFalse(server.get("/contacts").contains("Alice's"), "the cleared write was never sent")
        }
    }

    // live-scenario: S2
    @Test
    fun offlineWritesSurviveAJvmRestartAndAreSentExactlyOnce() = runBlocking {
        assumeTrue(isLive, "live mode only")
        val database = tempDatabase()
        val port: Int
        val serverDatabase: Path
        ContactsServer().use { first ->
            port = first.port
            serverDatabase = first.database
        }
        // The server is down: another JVM makes a write, which can only be queued, and dies.
        val java = File(System.getProperty("java.home"), "bin/java").path
        val child = ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), "contacts.test.OfflineWriterKt",
            "http://127.0.0.1:$port", database.toString(), "Offline Ada",
        ).redirectErrorStream(true).start()
        val output = child.inputStream.bufferedReader().readText()
        assertTrue(child.waitFor(60, TimeUnit.SECONDS) && child.exitValue() == 0, output)
        val id = Regex("queued (\\S+)").find(output)?.groupValues?.get(1) ?: error("no id in: $output")

        ContactsServer(database = serverDatabase, port = port, reset = false).use { server ->
            assertFalse(server.get("/contacts").contains(id))
            client(server, database).use { api ->
                // The queued write shows at once, before it is sent again.
                assertTrue(api.contacts.watch().first().any { it.id == id })
                withTimeout(15_000) { api.contacts.status.first { it.pendingWrites == 0 } }
                withTimeout(15_000) {
                    while (!server.get("/contacts").contains(id)) kotlinx.coroutines.delay(50)
                }
            }
            // A third start finds nothing left to send.
            client(server, database).use { api ->
                assertEquals(0, api.contacts.status.value.pendingWrites)
                assertEquals(1, api.contacts.list().count { it.id == id })
            }
            assertEquals(1, Regex(Regex.escape(id)).findAll(server.get("/contacts")).count(), "sent exactly once")
        }
    }
}
