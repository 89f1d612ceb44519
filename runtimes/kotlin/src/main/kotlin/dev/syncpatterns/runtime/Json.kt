package dev.syncpatterns.runtime

import kotlinx.serialization.KSerializer
import kotlinx.serialization.SerializationException
import kotlinx.serialization.Serializable
import kotlinx.serialization.descriptors.PrimitiveKind
import kotlinx.serialization.descriptors.PrimitiveSerialDescriptor
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.descriptors.buildSerialDescriptor
import kotlinx.serialization.encoding.Decoder
import kotlinx.serialization.encoding.Encoder
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonDecoder
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonEncoder
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.decodeFromJsonElement
import kotlinx.serialization.json.longOrNull

/**
 * The JSON settings generated clients use: unknown properties are ignored (servers add fields),
 * and a property left at its default (an optional field not given) is not written, so it stays
 * absent on the wire rather than becoming `null`.
 */
val SyncJson: Json = Json {
    ignoreUnknownKeys = true
    encodeDefaults = false
}

/**
 * A field of a request body where "absent" and "null" mean different things, as in a PATCH:
 * [Omitted] leaves the server's value alone, `Given(null)` clears it.
 */
@Serializable(with = OmittableSerializer::class)
sealed interface Omittable<out T> {
    /** The field is not sent. */
    data object Omitted : Omittable<Nothing>

    /** The field is sent with this value (which may be `null`). */
    data class Given<out T>(val value: T) : Omittable<T>
}

/** The value, or `null` when omitted. */
fun <T> Omittable<T>.orNull(): T? = when (this) {
    Omittable.Omitted -> null
    is Omittable.Given -> value
}

/**
 * Writes a [Omittable.Given] as its value. An [Omittable.Omitted] property equals its default,
 * so [SyncJson] (which does not encode defaults) never asks this serializer to write one.
 */
class OmittableSerializer<T>(private val inner: KSerializer<T>) : KSerializer<Omittable<T>> {
    override val descriptor: SerialDescriptor = inner.descriptor

    override fun serialize(encoder: Encoder, value: Omittable<T>) {
        when (value) {
            is Omittable.Given -> encoder.encodeSerializableValue(inner, value.value)
            Omittable.Omitted -> throw SerializationException(
                "an omitted field cannot be written; encode with encodeDefaults = false",
            )
        }
    }

    override fun deserialize(decoder: Decoder): Omittable<T> =
        Omittable.Given(decoder.decodeSerializableValue(inner))
}

/**
 * The serializer of a generated enum. [known] are its values and [wire] gives each one's wire
 * value (a `String`, or a `Long` for integer enums). A value the client does not know goes to
 * [unknown] when the spec says the enum is open, and fails to decode when it is closed.
 */
abstract class EnumSerializer<T : Any>(
    serialName: String,
    private val integer: Boolean,
    private val known: List<T>,
    private val wire: (T) -> Any,
    private val unknown: ((JsonPrimitive) -> T?)?,
) : KSerializer<T> {
    override val descriptor: SerialDescriptor =
        PrimitiveSerialDescriptor(serialName, if (integer) PrimitiveKind.LONG else PrimitiveKind.STRING)

    override fun serialize(encoder: Encoder, value: T) {
        when (val raw = wire(value)) {
            is Long -> encoder.encodeLong(raw)
            else -> encoder.encodeString(raw.toString())
        }
    }

    override fun deserialize(decoder: Decoder): T {
        val primitive = if (decoder is JsonDecoder) {
            decoder.decodeJsonElement() as? JsonPrimitive
                ?: throw SerializationException("${descriptor.serialName}: expected a string or number")
        } else if (integer) {
            JsonPrimitive(decoder.decodeLong())
        } else {
            JsonPrimitive(decoder.decodeString())
        }
        return known.firstOrNull { wireEquals(primitive, wire(it)) }
            ?: unknown?.invoke(primitive)
            ?: throw SerializationException("${descriptor.serialName}: unknown value ${primitive}")
    }
}

/** Whether [primitive] is the wire value [expected]: a `String`, or a `Long` for integers. */
fun wireEquals(primitive: JsonPrimitive, expected: Any): Boolean = when (expected) {
    is Long -> !primitive.isString && primitive.longOrNull == expected
    else -> primitive.isString && primitive.content == expected
}

/**
 * The serializer of a generated `oneOf`/`anyOf`: it reads the value as a [JsonElement] and lets
 * the generated [decode] pick the variant (by discriminator, or the first that decodes), and
 * writes a variant through the generated [encode].
 */
abstract class UnionSerializer<T : Any>(serialName: String) : KSerializer<T> {
    @OptIn(kotlinx.serialization.InternalSerializationApi::class)
    override val descriptor: SerialDescriptor =
        buildSerialDescriptor(serialName, kotlinx.serialization.descriptors.SerialKind.CONTEXTUAL)

    /** The variant [element] is. */
    protected abstract fun decode(json: Json, element: JsonElement): T

    /** [value] as JSON. */
    protected abstract fun encode(json: Json, value: T): JsonElement

    override fun serialize(encoder: Encoder, value: T) {
        val json = (encoder as? JsonEncoder)?.json
            ?: throw SerializationException("${descriptor.serialName} can only be written as JSON")
        encoder.encodeJsonElement(encode(json, value))
    }

    override fun deserialize(decoder: Decoder): T {
        val json = (decoder as? JsonDecoder)
            ?: throw SerializationException("${descriptor.serialName} can only be read from JSON")
        return decode(json.json, json.decodeJsonElement())
    }

    /** The discriminator's value in [element], when it is an object with that string property. */
    protected fun tag(element: JsonElement, property: String): String? {
        val value = (element as? JsonObject)?.get(property) as? JsonPrimitive ?: return null
        return if (value.isString) value.content else null
    }

    /** [encoded] with the discriminator set to [tag] when the variant's own type did not write it. */
    protected fun tagged(encoded: JsonElement, property: String, tag: String): JsonElement =
        if (encoded is JsonObject && property !in encoded) {
            JsonObject(encoded + (property to JsonPrimitive(tag)))
        } else {
            encoded
        }

    /** [element] decoded as [T2], or `null` when it does not fit. */
    protected inline fun <reified T2> attempt(json: Json, element: JsonElement): T2? =
        try {
            json.decodeFromJsonElement<T2>(element)
        } catch (_: SerializationException) {
            null
        } catch (_: IllegalArgumentException) {
            null
        }

    /** Whether [element] is JSON `null`. */
    protected fun isNull(element: JsonElement): Boolean = element is JsonNull
}

/** A string wire value, for an open string enum's `Unknown` case. */
fun wireString(primitive: JsonPrimitive): String? = if (primitive.isString) primitive.content else null

/** An integer wire value, for an open integer enum's `Unknown` case. */
fun wireLong(primitive: JsonPrimitive): Long? = if (primitive.isString) null else primitive.longOrNull
