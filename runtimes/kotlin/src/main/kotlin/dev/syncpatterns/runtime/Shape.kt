package dev.syncpatterns.runtime

import io.ktor.client.plugins.timeout
import io.ktor.client.request.get
import io.ktor.client.request.header
import io.ktor.client.statement.HttpResponse
import io.ktor.client.statement.bodyAsText
import io.ktor.http.encodeURLParameter
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.time.Duration

/** What an Electric change message did to a row. */
enum class ShapeOperation { Insert, Update, Delete }

/**
 * One row change from the shape log. [value] holds the whole row for an insert, the primary key
 * and the changed columns for an update, and only the primary key for a delete (Electric's
 * default `replica` mode), already parsed into JSON types with the `electric-schema` header.
 */
class ShapeChange(
    val operation: ShapeOperation,
    val key: String,
    val value: JsonObject,
    /** The transactions the change was part of (`headers.txids`). */
    val txids: List<Long> = emptyList(),
)

/**
 * The changes up to an `up-to-date` control message, which a client may apply together. With
 * [reset], the shape was (re)loaded from scratch and these changes replace all rows held before.
 */
class ShapeBatch(val reset: Boolean, val changes: List<ShapeChange>)

/** The shape a live resource streams: Electric's `table`, `where` and `columns` parameters. */
class ShapeDefinition(val table: String, val where: String? = null, val columns: List<String> = emptyList())

/**
 * A client of Electric's HTTP Shape API (`GET /v1/shape`), written from its protocol document:
 * an initial sync from `offset=-1`, then long polls with `live=true`, the `handle`, the last
 * `electric-offset` and the `electric-cursor`; `409` (or a `must-refetch` message) starts over
 * with the new handle and replaces all rows at the next up-to-date. Values arrive as text and
 * are parsed by column type from `electric-schema`.
 */
class ShapeStream(
    private val transport: HttpTransport,
    private val url: String,
    private val shape: ShapeDefinition,
    private val liveTimeout: Duration,
    private val backoff: Backoff,
) {
    private var handle: String? = null
    private var offset = "-1"
    private var cursor: String? = null
    private var upToDate = false
    private var schema: Map<String, ColumnType> = emptyMap()

    /** The Postgres type of a column, from `electric-schema`. */
    class ColumnType(val type: String, val dimensions: Int)

    /**
     * Streams the shape until cancelled: [apply] gets each batch of changes, [status] is told
     * when the stream is up to date or cannot reach the server.
     */
    suspend fun run(apply: suspend (ShapeBatch) -> Unit, status: (SyncPhase, Throwable?) -> Unit) {
        var reset = true
        var failures = 0
        val buffer = mutableListOf<ShapeChange>()
        while (currentCoroutineContext().isActive) {
            val response = try {
                request()
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                status(SyncPhase.Offline, e)
                delay(backoff.delayFor(failures++, null))
                continue
            }
            val code = response.status.value
            if (code == 409) {
                // The shape was rotated: drop what is buffered and sync the new one from scratch.
                handle = response.headers["electric-handle"]
                offset = "-1"
                cursor = null
                upToDate = false
                buffer.clear()
                reset = true
                continue
            }
            if (code !in 200..299) {
                val text = response.bodyAsText()
                val error = ApiException("GET", url, code, response.headers, text, null)
                status(SyncPhase.Offline, error)
                delay(backoff.delayFor(failures++, retryAfter(response.headers["Retry-After"])))
                continue
            }
            failures = 0
            response.headers["electric-handle"]?.let { handle = it }
            response.headers["electric-offset"]?.let { offset = it }
            response.headers["electric-cursor"]?.let { cursor = it }
            response.headers["electric-schema"]?.let { schema = parseSchema(it) }
            val text = if (code == 204) "" else response.bodyAsText()
            val messages = if (text.isBlank()) JsonArray(emptyList()) else Json.parseToJsonElement(text) as JsonArray
            var sawUpToDate = false
            var mustRefetch = false
            for (message in messages) {
                val obj = message.jsonObject
                val headers = obj["headers"] as? JsonObject ?: continue
                when ((headers["control"] as? JsonPrimitive)?.content) {
                    "up-to-date" -> sawUpToDate = true
                    "must-refetch" -> mustRefetch = true
                    null -> parseChange(obj, headers)?.let(buffer::add)
                    else -> {}
                }
            }
            if (mustRefetch) {
                offset = "-1"
                cursor = null
                upToDate = false
                buffer.clear()
                reset = true
                continue
            }
            if (sawUpToDate || response.headers["electric-up-to-date"] != null) {
                upToDate = true
                apply(ShapeBatch(reset, buffer.toList()))
                buffer.clear()
                reset = false
                status(SyncPhase.Ready, null)
            }
        }
    }

    private suspend fun request(): HttpResponse {
        val params = mutableListOf("table" to shape.table, "offset" to offset)
        handle?.let { params += "handle" to it }
        if (upToDate) {
            params += "live" to "true"
            cursor?.let { params += "cursor" to it }
        }
        shape.where?.let { params += "where" to it }
        if (shape.columns.isNotEmpty()) params += "columns" to shape.columns.joinToString(",")
        val query = params.joinToString("&") { (name, value) -> "$name=${value.encodeURLParameter()}" }
        val separator = if ('?' in url) "&" else "?"
        val headers = transport.commonHeaders()
        return transport.http.get("$url$separator$query") {
            for ((name, value) in headers) header(name, value)
            // A live request waits for changes on the server, longer than an ordinary call.
            if (upToDate) timeout { requestTimeoutMillis = liveTimeout.inWholeMilliseconds }
        }
    }

    private fun parseChange(message: JsonObject, headers: JsonObject): ShapeChange? {
        val operation = when ((headers["operation"] as? JsonPrimitive)?.content) {
            "insert" -> ShapeOperation.Insert
            "update" -> ShapeOperation.Update
            "delete" -> ShapeOperation.Delete
            else -> return null
        }
        val key = (message["key"] as? JsonPrimitive)?.content ?: return null
        val value = message["value"] as? JsonObject ?: JsonObject(emptyMap())
        val txids = (headers["txids"] as? JsonArray).orEmpty().mapNotNull { (it as? JsonPrimitive)?.content?.toLongOrNull() }
        return ShapeChange(operation, key, JsonObject(value.mapValues { (column, v) -> parseValue(column, v) }), txids)
    }

    /** A column's text value as the JSON type its Postgres type maps to. */
    private fun parseValue(column: String, value: JsonElement): JsonElement {
        val text = (value as? JsonPrimitive)?.takeIf { it.isString }?.content ?: return value
        val type = schema[column] ?: return value
        if (type.dimensions > 0) return value
        return when (type.type) {
            "int2", "int4", "int8", "oid" -> text.toLongOrNull()?.let(::JsonPrimitive) ?: value
            "float4", "float8", "numeric" -> text.toDoubleOrNull()?.let(::JsonPrimitive) ?: value
            "bool" -> JsonPrimitive(text == "t" || text == "true")
            "json", "jsonb" -> try {
                Json.parseToJsonElement(text)
            } catch (_: Exception) {
                value
            }
            else -> value
        }
    }

    private fun parseSchema(header: String): Map<String, ColumnType> = try {
        Json.parseToJsonElement(header).jsonObject.mapValues { (_, column) ->
            val obj = column.jsonObject
            ColumnType(
                obj["type"]?.jsonPrimitive?.content ?: "text",
                (obj["dimensions"] as? JsonPrimitive)?.intOrNull ?: 0,
            )
        }
    } catch (_: Exception) {
        emptyMap()
    }
}

/** `Retry-After` as milliseconds: delay-seconds, or an HTTP date. */
fun retryAfter(header: String?): Long? {
    val value = header?.trim() ?: return null
    value.toLongOrNull()?.let { return it * 1000 }
    return try {
        val date = java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
        (date.toInstant().toEpochMilli() - System.currentTimeMillis()).coerceAtLeast(0)
    } catch (_: Exception) {
        null
    }
}
