package contacts.test

import contacts.client.Api
import contacts.client.ContactPatch
import contacts.client.NewContact
import contacts.client.ValidationErrors
import contacts.client.runtime.ApiException
import contacts.client.runtime.ClientConfig
import contacts.client.runtime.LiveConfig
import contacts.client.runtime.Omittable
import contacts.client.runtime.RequestOptions
import contacts.client.runtime.SyncPhase
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * One test body for all three generated clients: push, live from the REST list, and live from
 * the Shape stream. Only the spec's `x-sync` differs between them, so this file compiling and
 * passing against each is the unified interface at work.
 */
// live-scenario: S9
class RoundTripTest {
    private val server = ContactsServer(tokens = listOf("t0ken=alice"))
    private val authCalls = AtomicInteger()
    private val api = Api(
        ClientConfig(
            baseUrl = server.url,
            auth = {
                authCalls.incrementAndGet()
                mapOf("Authorization" to "Bearer t0ken")
            },
        ),
        LiveConfig(databasePath = tempDatabase(), userScope = "alice"),
    )

    @AfterTest
    fun stop() {
        api.close()
        server.close()
    }

    @Test
    fun createReadUpdateDeleteThroughTheResource() = runBlocking {
        val contacts = api.contacts
        assertEquals(emptyList(), contacts.list())
        val created = contacts.create(NewContact(name = "Ada Lovelace", email = "ada@example.com", phone = "555"))
        assertEquals("Ada Lovelace", created.name)
        assertEquals(created, contacts.get(created.id))
        assertEquals(listOf(created), contacts.list())

        // `Given(null)` clears the phone; the omitted email stays as it was.
        val updated = contacts.update(created.id, ContactPatch(name = "Ada King", phone = Omittable.Given(null)))
        assertEquals("Ada King", updated.name)
        assertEquals("ada@example.com", updated.email)
        assertNull(updated.phone)
        assertEquals(listOf(updated), contacts.list())
        assertTrue(server.get("/contacts", token = "t0ken").contains("Ada King"), "the server has the change")

        contacts.delete(created.id)
        assertEquals(emptyList(), contacts.list())
        val gone = assertFailsWith<ApiException> { contacts.get(created.id) }
        assertEquals(404, gone.status, "a missing key is the same not-found in both modes")
        assertEquals("[]", server.get("/contacts", token = "t0ken").trim())
        assertEquals(SyncPhase.Ready, contacts.status.value.phase)
        assertEquals(0, contacts.status.value.pendingWrites)
        assertTrue(authCalls.get() > 0, "every request goes through the auth hook")
    }

    @Test
    fun watchFollowsWrites() = runBlocking {
        val contacts = api.contacts
        assertEquals(emptyList(), withTimeout(10_000) { contacts.watch().first() })
        val created = contacts.create(NewContact(name = "Grace Hopper", email = "grace@example.com"))
        val seen = withTimeout(10_000) { contacts.watch().first { rows -> rows.any { it.id == created.id } } }
        assertEquals("Grace Hopper", seen.single().name)
    }

    @Test
    fun rejectedWritesThrowWithTheDecodedErrorBody() = runBlocking {
        val error = assertFailsWith<ApiException> {
            api.contacts.create(NewContact(name = "", email = "not an email"))
        }
        assertEquals(422, error.status)
        val body = assertNotNull(error.bodyAs<ValidationErrors>(), "the declared error body is decoded")
        assertEquals(setOf("name", "email"), body.errors.map { it.field }.toSet())
        assertEquals(emptyList(), api.contacts.list(), "nothing was kept")
    }

    @Test
    fun operationsAreCallsWithResponseHeadersAndTypedErrors() = runBlocking {
        var txid: String? = null
        val created = api.createContact(
            NewContact(name = "Alan Turing", email = "alan@example.org"),
            RequestOptions(onResponse = { txid = it.headers["x-electric-txid"] }),
        )
        assertNotNull(txid?.toLongOrNull(), "the txid header is readable")
        val analytics = api.getAnalytics()
        assertEquals(1L, analytics.totalContacts)
        assertEquals("example.org", analytics.emailDomains.single().domain)
        val missing = assertFailsWith<ApiException> { api.getContact("00000000-0000-4000-8000-000000000000") }
        assertEquals(404, missing.status)
        api.deleteContact(created.id)
        val unauthorized = Api(ClientConfig(baseUrl = server.url), LiveConfig(databasePath = tempDatabase()))
        unauthorized.use {
            val denied = assertFailsWith<ApiException> { it.getAnalytics() }
            assertEquals(401, denied.status)
        }
    }
}
