package dev.syncpatterns.runtime

import kotlinx.serialization.Serializable
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.decodeFromJsonElement
import kotlinx.serialization.json.encodeToJsonElement
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

// Written the way the emitter writes models, so the run-time's serializers are tested against
// the shapes generated code gives them.
@Serializable
data class Patch(val name: String? = null, val phone: Omittable<String?> = Omittable.Omitted)

@Serializable(with = Color.Serializer::class)
sealed interface Color {
    val value: String

    data object Red : Color {
        override val value: String = "red"
    }

    data class Unknown(override val value: String) : Color

    companion object {
        val entries: List<Color> = listOf(Red)
    }

    object Serializer : EnumSerializer<Color>(
        "Color",
        integer = false,
        known = Color.entries,
        wire = { it.value },
        unknown = { wireString(it)?.let { value -> Unknown(value) } },
    )
}

@Serializable(with = Level.Serializer::class)
sealed interface Level {
    val value: Long

    data object One : Level {
        override val value: Long = 1L
    }

    companion object {
        val entries: List<Level> = listOf(One)
    }

    object Serializer : EnumSerializer<Level>("Level", integer = true, known = Level.entries, wire = { it.value }, unknown = null)
}

@Serializable
data class Cat(val kind: String = "cat", val lives: Int)

@Serializable(with = Pet.Serializer::class)
sealed interface Pet {
    data class CatValue(val value: Cat) : Pet

    data class Text(val value: String) : Pet

    data class Unknown(val json: JsonElement) : Pet

    object Serializer : UnionSerializer<Pet>("Pet") {
        override fun decode(json: Json, element: JsonElement): Pet {
            when (tag(element, "kind")) {
                "cat" -> return CatValue(json.decodeFromJsonElement<Cat>(element))
            }
            attempt<String>(json, element)?.let { return Text(it) }
            return Unknown(element)
        }

        override fun encode(json: Json, value: Pet): JsonElement = when (value) {
            is CatValue -> tagged(json.encodeToJsonElement<Cat>(value.value), "kind", "cat")
            is Text -> json.encodeToJsonElement<String>(value.value)
            is Unknown -> value.json
        }
    }
}

class JsonTest {
    @Test
    fun omittedFieldsAreLeftOutAndNullIsSent() {
        assertEquals("""{}""", SyncJson.encodeToString(Patch.serializer(), Patch()))
        assertEquals("""{"phone":null}""", SyncJson.encodeToString(Patch.serializer(), Patch(phone = Omittable.Given(null))))
        assertEquals("""{"phone":"1"}""", SyncJson.encodeToString(Patch.serializer(), Patch(phone = Omittable.Given("1"))))
        assertEquals(Patch(), SyncJson.decodeFromString(Patch.serializer(), "{}"))
        assertEquals(Patch(phone = Omittable.Given(null)), SyncJson.decodeFromString(Patch.serializer(), """{"phone":null}"""))
    }

    @Test
    fun openEnumsKeepUnknownValuesAndClosedOnesReject() {
        assertEquals(Color.Red, SyncJson.decodeFromString(Color.serializer(), "\"red\""))
        val unknown = SyncJson.decodeFromString(Color.serializer(), "\"teal\"")
        assertEquals(Color.Unknown("teal"), unknown)
        assertEquals("\"teal\"", SyncJson.encodeToString(Color.serializer(), unknown))
        assertEquals(Level.One, SyncJson.decodeFromString(Level.serializer(), "1"))
        assertEquals("1", SyncJson.encodeToString(Level.serializer(), Level.One))
        assertFailsWith<SerializationException> { SyncJson.decodeFromString(Level.serializer(), "2") }
        assertFailsWith<SerializationException> { SyncJson.decodeFromString(Level.serializer(), "\"1\"") }
    }

    @Test
    fun unionsPickByTagThenByShapeAndKeepTheRest() {
        assertEquals(Pet.CatValue(Cat(lives = 9)), SyncJson.decodeFromString(Pet.serializer(), """{"kind":"cat","lives":9}"""))
        assertEquals(Pet.Text("hi"), SyncJson.decodeFromString(Pet.serializer(), "\"hi\""))
        val other = SyncJson.decodeFromString(Pet.serializer(), """{"kind":"dog"}""")
        assertEquals("""{"kind":"dog"}""", SyncJson.encodeToString(Pet.serializer(), other))
        // `kind` is Cat's default, which SyncJson leaves out; the union writes the tag back.
        assertEquals("""{"lives":1,"kind":"cat"}""", SyncJson.encodeToString(Pet.serializer(), Pet.CatValue(Cat(lives = 1))))
    }

    @Test
    fun wireValuesCompareByType() {
        assertEquals(true, wireEquals(JsonPrimitive("a"), "a"))
        assertEquals(false, wireEquals(JsonPrimitive(1), "1"))
        assertEquals(true, wireEquals(JsonPrimitive(1), 1L))
    }
}
