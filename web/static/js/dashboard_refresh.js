// When the dashboard fetches its figures again: every 20 s while the tab is
// visible, backing off (40 s, 80 s … at most 5 min) after failures, and not
// at all while the tab is hidden (it refreshes when it becomes visible).
// Pure, so that node --test covers it.

export const INTERVAL = 20_000;
export const MAX_DELAY = 300_000;

// nextDelay returns the milliseconds until the next refresh, or null to
// wait for the tab to become visible.
export function nextDelay({ hidden = false, failures = 0, interval = INTERVAL } = {}) {
  if (hidden) return null;
  const n = Math.max(0, Math.min(failures, 16));
  return Math.min(interval * 2 ** n, MAX_DELAY);
}

// liveIds lists the ids of the live sections of a page (elements marked
// data-live), in document order, from an array of {id} objects.
export function liveIds(nodes) {
  const ids = [];
  for (const n of nodes) {
    if (n.id && !ids.includes(n.id)) ids.push(n.id);
  }
  return ids;
}
