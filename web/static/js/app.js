// minyi's browser code: plain ES modules, no build step.
// Strings come from /i18n/<lang>.json, the same tables the server uses.

import { safeNext } from "./next.js";
import { autoBind, restoreForms } from "./form.js";

const lang = document.body.dataset.lang || "zh-CN";

async function strings() {
  const r = await fetch(`/i18n/${lang}.json`);
  return r.ok ? r.json() : {};
}

async function postJSON(url, body) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
}

const form = document.getElementById("login-form");
if (form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = await strings();
    const err = document.getElementById("login-error");
    err.hidden = true;
    const data = new FormData(form);
    try {
      const r = await postJSON("/api/v1/login", { username: data.get("username"), password: data.get("password") });
      if (r.ok) {
        location.assign(safeNext(form.dataset.next, location.origin));
        return;
      }
      err.textContent = r.status === 401 ? t["login.failed"] : t["login.error"];
    } catch {
      err.textContent = t["login.error"];
    }
    err.hidden = false;
  });
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await postJSON("/api/v1/logout", {});
    location.assign("/login");
  });
}

// On a narrow screen the navigation and the account's links fold into a
// menu (minyi.css shows the button below 48rem); the button opens and
// closes it.
const menu = document.getElementById("menu-toggle");
if (menu) {
  menu.addEventListener("click", () => {
    const open = menu.getAttribute("aria-expanded") !== "true";
    menu.setAttribute("aria-expanded", String(open));
    menu.closest(".top").classList.toggle("menu-open", open);
  });
}

// Every office form posts to the API (form.js); input stashed before a
// re-login is put back. The import is static, so the forms are bound
// before the page's load event: a form clicked earlier would be submitted
// by the browser itself, as a GET with its fields in the address.
autoBind();
restoreForms();
