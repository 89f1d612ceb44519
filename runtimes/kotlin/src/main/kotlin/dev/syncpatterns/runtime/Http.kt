package dev.syncpatterns.runtime

import io.ktor.client.HttpClient
import io.ktor.client.engine.cio.CIO
import io.ktor.client.plugins.HttpTimeout
import io.ktor.client.plugins.timeout
import io.ktor.client.request.request
import io.ktor.client.request.setBody
import io.ktor.client.statement.HttpResponse
import io.ktor.client.statement.bodyAsBytes
import io.ktor.http.ContentType
import io.ktor.http.Headers
import io.ktor.http.HttpMethod
import io.ktor.http.content.ByteArrayContent
import io.ktor.http.content.OutgoingContent
import io.ktor.http.content.TextContent
import io.ktor.http.encodeURLParameter
import io.ktor.http.encodeURLPathPart
import io.ktor.http.takeFrom
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** How a client reaches the API. */
class ClientConfig(
    /** Prepended to every path, e.g. `https://api.example.com/v1`. */
    val baseUrl: String,
    /** Sent with every request. */
    val headers: Map<String, String> = emptyMap(),
    /**
     * Called before every request; the headers it returns (e.g. `Authorization`) are added. It
     * suspends, so a token can be refreshed first.
     */
    val auth: (suspend () -> Map<String, String>)? = null,
    /** How long a whole request may take. */
    val requestTimeout: Duration = 30.seconds,
    /** How long connecting may take. */
    val connectTimeout: Duration = 10.seconds,
    /**
     * The Ktor client to send with (e.g. one on the OkHttp engine on Android); it must have the
     * `HttpTimeout` plugin installed. A CIO client is made, and closed with the API, when this
     * is left out.
     */
    val httpClient: HttpClient? = null,
    /** The JSON settings bodies are read and written with. */
    val json: Json = SyncJson,
)

/** Options of one call. */
class RequestOptions(
    /** Added to this request's headers. */
    val headers: Map<String, String> = emptyMap(),
    /** Overrides [ClientConfig.requestTimeout] for this request. */
    val timeout: Duration? = null,
    /** Sees the response's status and headers before its body is decoded. */
    val onResponse: ((ResponseInfo) -> Unit)? = null,
)

/** The status and headers of a response, for [RequestOptions.onResponse]. */
class ResponseInfo(val status: Int, val headers: Headers)

/**
 * A response outside 2xx. [body] is the error body decoded as the spec declares it for this
 * status (use [bodyAs]), or `null` when the spec declares none or it did not decode; the raw
 * text is in [bodyText].
 */
class ApiException(
    val method: String,
    val path: String,
    val status: Int,
    val headers: Headers,
    val bodyText: String,
    val body: Any?,
) : Exception("$method $path: HTTP $status${summary(bodyText)}") {
    /** The decoded error body, when it is a [T]. */
    inline fun <reified T> bodyAs(): T? = body as? T
}

private fun summary(text: String): String =
    if (text.isBlank()) "" else ": " + text.trim().take(300)

/** How a query parameter is written (OpenAPI `style` with `explode`). */
enum class QueryStyle { Form, FormExploded, SpaceDelimited, PipeDelimited, DeepObject }

/** One request, as a generated operation describes it. */
class RequestSpec(
    val method: String,
    /** The path with its parameters already substituted (see [pathParam]). */
    val path: String,
    val query: List<QueryParam> = emptyList(),
    val headers: List<Pair<String, JsonElement>> = emptyList(),
    val cookies: List<Pair<String, JsonElement>> = emptyList(),
    val body: OutgoingContent? = null,
    /** The `Accept` header, when a body is expected. */
    val accept: String? = null,
    /** Decodes an error body by status code; `null` when the spec declares none for it. */
    val errorBody: (status: Int, text: String) -> Any? = { _, _ -> null },
)

/** A query parameter's value, already turned into JSON. */
class QueryParam(val name: String, val value: JsonElement, val style: QueryStyle = QueryStyle.FormExploded)

/** A successful response. */
class RawResponse(val status: Int, val headers: Headers, val bytes: ByteArray) {
    val text: String get() = bytes.decodeToString()
}

/** Sends generated operations' requests over Ktor. */
class HttpTransport(val config: ClientConfig) : AutoCloseable {
    private val ownsClient = config.httpClient == null
    val http: HttpClient = config.httpClient ?: HttpClient(CIO) {
        install(HttpTimeout) {
            requestTimeoutMillis = config.requestTimeout.inWholeMilliseconds
            connectTimeoutMillis = config.connectTimeout.inWholeMilliseconds
        }
        expectSuccess = false
    }

    /** The headers every request carries: the configured ones, then the auth hook's. */
    suspend fun commonHeaders(): Map<String, String> {
        val auth = config.auth?.invoke() ?: emptyMap()
        return config.headers + auth
    }

    /** Sends [spec]; returns a 2xx response, or throws [ApiException] for any other status. */
    suspend fun send(spec: RequestSpec, options: RequestOptions = RequestOptions()): RawResponse {
        val url = config.baseUrl.trimEnd('/') + spec.path + queryString(spec.query)
        val common = commonHeaders()
        val response: HttpResponse = http.request {
            this.method = HttpMethod.parse(spec.method)
            this.url.takeFrom(url)
            spec.accept?.let { headers.append("Accept", it) }
            for ((name, value) in spec.headers) {
                scalarText(value)?.let { headers.append(name, it) }
            }
            val cookies = spec.cookies.mapNotNull { (name, value) ->
                scalarText(value)?.let { "$name=${it.encodeURLParameter()}" }
            }
            if (cookies.isNotEmpty()) headers.append("Cookie", cookies.joinToString("; "))
            for ((name, value) in common + options.headers) headers[name] = value
            options.timeout?.let { limit -> timeout { requestTimeoutMillis = limit.inWholeMilliseconds } }
            spec.body?.let { setBody(it) }
        }
        val bytes = response.bodyAsBytes()
        options.onResponse?.invoke(ResponseInfo(response.status.value, response.headers))
        val status = response.status.value
        if (status !in 200..299) {
            val text = bytes.decodeToString()
            val decoded = if (text.isBlank()) {
                null
            } else {
                try {
                    spec.errorBody(status, text)
                } catch (_: Exception) {
                    null
                }
            }
            throw ApiException(spec.method, spec.path, status, response.headers, text, decoded)
        }
        return RawResponse(status, response.headers, bytes)
    }

    override fun close() {
        if (ownsClient) http.close()
    }
}

/** A path parameter's value, encoded so a `/` or `?` in it cannot change the path. */
fun pathParam(value: JsonElement): String = when (value) {
    is JsonArray -> value.mapNotNull(::scalarText).joinToString(",") { it.encodeURLPathPart() }
    else -> (scalarText(value) ?: "").encodeURLPathPart()
}

/** A JSON request body. */
fun jsonBody(text: String, contentType: String): OutgoingContent =
    TextContent(text, ContentType.parse(contentType))

/** A text request body. */
fun textBody(text: String, contentType: String): OutgoingContent =
    TextContent(text, ContentType.parse(contentType))

/** A binary request body. */
fun bytesBody(bytes: ByteArray, contentType: String): OutgoingContent =
    ByteArrayContent(bytes, ContentType.parse(contentType))

/** An `application/x-www-form-urlencoded` body from an object's members. */
fun formBody(value: JsonElement, contentType: String): OutgoingContent {
    val parts = mutableListOf<String>()
    if (value is JsonObject) {
        for ((name, member) in value) {
            val items = if (member is JsonArray) member.toList() else listOf(member)
            for (item in items) {
                val text = scalarText(item) ?: if (item is JsonNull) null else item.toString()
                text?.let { parts += "${name.encodeURLParameter()}=${it.encodeURLParameter()}" }
            }
        }
    }
    return TextContent(parts.joinToString("&"), ContentType.parse(contentType))
}

/** A scalar as text (strings unquoted), `null` for JSON null, compact JSON for anything else. */
fun scalarText(value: JsonElement): String? = when (value) {
    JsonNull -> null
    is JsonPrimitive -> value.content
    is JsonArray -> value.mapNotNull(::scalarText).joinToString(",")
    is JsonObject -> value.entries.joinToString(",") { (k, v) -> "$k,${scalarText(v) ?: ""}" }
}

internal fun queryString(query: List<QueryParam>): String {
    val parts = mutableListOf<String>()
    fun add(name: String, text: String) {
        parts += "${name.encodeURLParameter()}=${text.encodeURLParameter()}"
    }
    for (param in query) {
        when (val value = param.value) {
            JsonNull -> {}
            is JsonArray -> {
                val items = value.mapNotNull(::scalarText)
                when (param.style) {
                    QueryStyle.FormExploded -> items.forEach { add(param.name, it) }
                    QueryStyle.SpaceDelimited -> add(param.name, items.joinToString(" "))
                    QueryStyle.PipeDelimited -> add(param.name, items.joinToString("|"))
                    QueryStyle.Form, QueryStyle.DeepObject -> add(param.name, items.joinToString(","))
                }
            }
            is JsonObject -> for ((key, member) in value) {
                val text = scalarText(member) ?: continue
                when (param.style) {
                    QueryStyle.DeepObject -> add("${param.name}[$key]", text)
                    QueryStyle.FormExploded -> add(key, text)
                    else -> add(param.name, "$key,$text")
                }
            }
            is JsonPrimitive -> add(param.name, value.content)
        }
    }
    return if (parts.isEmpty()) "" else "?" + parts.joinToString("&")
}
