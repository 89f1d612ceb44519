// The component under test. It imports the generated API through `#api`, which each vitest
// project (and each tsc run) points at another mode's output: this file never changes.
import { useContacts, useCreateContact, type NewContact } from "#api";

export function ContactList({ draft }: { draft: NewContact }) {
  const contacts = useContacts();
  const create = useCreateContact();
  // The server orders by name, then id (byte order); a local collection keeps insertion order.
  const rows = [...contacts.data].sort((a, b) =>
    a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1,
  );
  return (
    <section>
      <p aria-label="status">{contacts.status}</p>
      <ul aria-label="contacts">
        {rows.map((contact) => (
          <li key={contact.id}>{contact.name}</li>
        ))}
      </ul>
      <button onClick={() => create.mutate(draft)}>Add</button>
      {create.error && <p role="alert">{create.error.message}</p>}
    </section>
  );
}
