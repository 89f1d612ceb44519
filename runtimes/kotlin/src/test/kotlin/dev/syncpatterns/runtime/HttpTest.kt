package dev.syncpatterns.runtime

import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

class HttpTest {
    private val list = JsonArray(listOf(JsonPrimitive("a b"), JsonPrimitive(2)))

    @Test
    fun queryStylesFollowOpenApi() {
        assertEquals("?x=a%20b&x=2", queryString(listOf(QueryParam("x", list))))
        assertEquals("?x=a%20b%2C2", queryString(listOf(QueryParam("x", list, QueryStyle.Form))))
        assertEquals("?x=a%20b%7C2", queryString(listOf(QueryParam("x", list, QueryStyle.PipeDelimited))))
        val obj = JsonObject(mapOf("k" to JsonPrimitive("v")))
        assertEquals("?f%5Bk%5D=v", queryString(listOf(QueryParam("f", obj, QueryStyle.DeepObject))))
        assertEquals("?k=v", queryString(listOf(QueryParam("f", obj))))
        assertEquals("", queryString(listOf(QueryParam("x", JsonNull))))
    }

    @Test
    fun pathParametersCannotChangeThePath() {
        assertEquals("a%2Fb%3Fc", pathParam(JsonPrimitive("a/b?c")))
        assertEquals("1,2", pathParam(JsonArray(listOf(JsonPrimitive(1), JsonPrimitive(2)))))
    }

    @Test
    fun onlyDefiniteRejectionsDropWrites() {
        for (status in listOf(400, 401, 403, 404, 409, 422)) assertTrue(isDefiniteRejection(status), "$status")
        for (status in listOf(408, 425, 429, 500, 503, 302)) assertTrue(!isDefiniteRejection(status), "$status")
    }

    @Test
    fun retryAfterReadsSecondsAndDates() {
        assertEquals(120_000L, retryAfter("120"))
        assertNull(retryAfter("soon"))
        assertNull(retryAfter(null))
        val inAMinute = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60)
        val header = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(inAMinute)
        val millis = retryAfter(header) ?: error("a date parses")
        assertTrue(millis in 50_000..60_000, "$millis")
    }

    @Test
    fun backoffDoublesUpToItsCapAndHonoursRetryAfter() {
        val backoff = Backoff()
        // docs/outbox.md §4: min(30 s, 0.5 s × 2^min(n, 6)), jittered into [base / 2, base].
        repeat(20) {
            assertTrue(backoff.delayFor(0, null) in 250..500)
            assertTrue(backoff.delayFor(3, null) in 2_000..4_000)
            assertTrue(backoff.delayFor(30, null) in 15_000..30_000)
        }
        assertEquals(90_000L, backoff.delayFor(0, 90_000))
    }
}
