// A component on an operation hook outside any resource: TanStack Query's own options pass
// through (`enabled`, `select`), and `refetch`/`isFetching` come back.
import { useState } from "react";
import { useGetAnalytics } from "#api";

export function AnalyticsBadge() {
  const [enabled, setEnabled] = useState(false);
  const analytics = useGetAnalytics({
    enabled,
    // `select` narrows the data, and its type: `total` is a number.
    select: (summary) => summary.total_contacts,
  });
  const total: number | undefined = analytics.data;
  return (
    <section>
      <p aria-label="analytics status">
        {analytics.status}/{analytics.fetchStatus}
      </p>
      <p aria-label="total">{total === undefined ? "-" : String(total)}</p>
      <button onClick={() => setEnabled(true)}>Load</button>
      <button onClick={() => void analytics.refetch()}>Reload</button>
      {analytics.error && <p role="alert">{analytics.error.message}</p>}
    </section>
  );
}
