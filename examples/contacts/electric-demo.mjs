// The official Electric client syncing contacts from the contacts server:
//   node examples/contacts/electric-demo.mjs http://127.0.0.1:8080
// Subscribes to the `contacts` shape with `ShapeStream`, creates a contact through the REST API
// and prints the row as it arrives live, with the writer's txid. scripts/demo.sh runs it.
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// `@electric-sql/client` is installed (from its lockfile) by the conformance suite; this demo
// borrows it rather than keeping a second copy.
const conformance = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'electric-conformance')
const { ShapeStream, isChangeMessage, isControlMessage } = createRequire(join(conformance, 'package.json'))(
  '@electric-sql/client',
)

const TIMEOUT_MS = 15_000

const baseUrl = process.argv[2]
if (!baseUrl) {
  console.error('usage: node electric-demo.mjs <server URL, e.g. http://127.0.0.1:8080>')
  process.exit(2)
}
const log = (line) => console.log(`electric: ${line}`)
const count = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`

const controller = new AbortController()
const timer = setTimeout(() => fail(`nothing arrived within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS)
function fail(message) {
  console.error(`electric: ${message}`)
  controller.abort()
  process.exit(1)
}

const stream = new ShapeStream({ url: `${baseUrl}/v1/shape`, params: { table: 'contacts' }, signal: controller.signal })
const rows = new Map()
const id = randomUUID() // chosen here, as an optimistic client would, so its insert can be recognised
let upToDate, inserted
const firstUpToDate = new Promise((resolve) => (upToDate = resolve))
// The change can arrive before the POST's answer: the server wakes live requests on commit.
const insertArrived = new Promise((resolve) => (inserted = resolve))

stream.subscribe(
  (messages) => {
    for (const message of messages) {
      if (isControlMessage(message) && message.headers.control === 'up-to-date') upToDate()
      if (!isChangeMessage(message)) continue
      const { operation } = message.headers
      if (operation === 'delete') rows.delete(message.key)
      else rows.set(message.key, { ...rows.get(message.key), ...message.value })
      if (operation === 'insert' && message.value.id === id) inserted({ message, at: performance.now() })
    }
  },
  (error) => fail(`the stream failed: ${error.message ?? error}`),
)

await firstUpToDate
log(`subscribed to ${baseUrl}/v1/shape?table=contacts (handle ${stream.shapeHandle})`)
log(`${count(rows.size, 'row')} in the snapshot:`)
for (const row of rows.values()) log(`  ${row.name} <${row.email}>`)

const sentAt = performance.now()
const response = await fetch(`${baseUrl}/contacts`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ id, name: 'Linus (from node)', email: 'linus@example.org' }),
})
if (response.status !== 201) fail(`POST /contacts answered ${response.status}: ${await response.text()}`)
const txid = Number(response.headers.get('x-electric-txid'))
log(`POST /contacts -> ${response.status}, x-electric-txid ${txid}`)

const { message, at } = await insertArrived
const { txids } = message.headers
log(`the insert arrived live on the stream ${(at - sentAt).toFixed(1)} ms after the POST was sent:`)
log(`  ${JSON.stringify(message.value)}`)
// The txid is how an optimistic client knows its own write has synced.
const confirmed = txids?.includes(txid)
log(`  txids ${JSON.stringify(txids)} ${confirmed ? 'include' : 'do NOT include'} the POST's txid`)
log(`the shape now has ${count(rows.size, 'row')}`)
clearTimeout(timer)
controller.abort()
process.exit(confirmed ? 0 : 1)
