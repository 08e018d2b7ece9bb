// The users page: forms whose answer carries a secret (a new account's
// password, a reset password, a new API token) show it once, here, and
// nowhere else; the street of a supervisor or interviewer changes in place.

import { autoBind, bindForm, strings } from "./form.js";

const box = document.getElementById("secret");

function showSecret(label, value) {
  box.querySelector("[data-secret-label]").textContent = label;
  box.querySelector("[data-secret-value]").textContent = value;
  box.hidden = false;
  box.scrollIntoView({ block: "center" });
}

document.getElementById("secret-copy")?.addEventListener("click", () => {
  navigator.clipboard?.writeText(box.querySelector("[data-secret-value]").textContent);
});

for (const form of document.querySelectorAll("#user-create, #token-create")) {
  form.dataset.bound = "1";
  bindForm(form, {
    url: form.dataset.url,
    onSuccess: async (json) => {
      const secret = json.password || json.token || "";
      let label = form.dataset.secret;
      if (json.user?.username) label += " " + json.user.username;
      showSecret(label, secret);
      // The lists below change too: reload them without the secret, which
      // stays on screen until the page is left.
      const r = await fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (r.ok) {
        const doc = new DOMParser().parseFromString(await r.text(), "text/html");
        for (const id of ["users", "tokens"]) {
          const fresh = doc.getElementById(id);
          const old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        }
      }
      form.reset();
      rebind();
    },
  });
}

// The forms inside the tables (street changes; enable, disable, revoke and
// reset are data-api or data-secret forms) are bound again after a reload of
// the tables.
function rebind() {
  autoBind();
  for (const form of document.querySelectorAll("#users form[data-secret]:not([data-bound])")) {
    form.dataset.bound = "1";
    bindForm(form, { url: form.dataset.url, onSuccess: (json) => showSecret(form.dataset.secret, json.password) });
  }
  bindStreets();
}

function bindStreets() {
  for (const form of document.querySelectorAll("#users form[data-method=PATCH]:not([data-bound])")) {
    form.dataset.bound = "1";
    bindForm(form, { url: form.dataset.url, method: "PATCH" });
  }
}
rebind();
strings();
