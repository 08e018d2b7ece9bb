// Where a login may send the user next. The server checks the same
// (localPath in internal/server/web.go); internal/server/testdata/next.json
// is the table both are tested with.

// safeNext returns next as a path on origin, or "/". It resolves next with
// the browser's own URL parser and keeps the result only if it stays on
// origin and is a plain path: a pathname starting with "//" (from
// "/.//evil.example" or "/a/..//evil.example") would be read as another host
// when handed to location. Backslashes (read as slashes) and control
// characters (tabs and newlines are dropped by the parser) are refused.
export function safeNext(next, origin) {
  if (typeof next !== "string" || !next.startsWith("/") || next.includes("\\") || /[\u0000-\u001f\u007f]/.test(next)) {
    return "/";
  }
  let u;
  try {
    u = new URL(next, origin);
  } catch {
    return "/";
  }
  if (u.origin !== new URL(origin).origin || !u.pathname.startsWith("/") || u.pathname.startsWith("//")) {
    return "/";
  }
  return u.pathname + u.search + u.hash;
}
