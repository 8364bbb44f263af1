// The sign-in, sign-up and sign-out pages. Names from the server (demo
// accounts, the signed-in user) only become text nodes, as in the shell.
// No account (so no account language) exists yet: the pages speak the
// browser's language (i18n.js pickLanguage), falling back to English.

import { el, api, setCsrfToken } from "./util.js";
import { t, setLanguage, pickLanguage } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const error = $("account-error");

function say(message) {
  error.textContent = message || "";
}

/** Run a sign-in request; on success the shell opens. */
async function go(path, body) {
  say("");
  try {
    await api(path, { body });
  } catch (failure) {
    say(failure.message);
    return;
  }
  location.assign("/");
}

async function start() {
  try {
    await setLanguage(pickLanguage());
  } catch {
    // No message file: the page's English stays, and it still works.
  }
  let options = { user: null, demo: [], mode: "host" };
  try {
    options = await api("/api/signin");
  } catch (failure) {
    say(t("account.unreachable", { message: failure.message }));
  }
  const page = location.pathname.replace(/^\//, "");
  let shown = "signin";
  if (options.mode === "dev" && page !== "signout") shown = "dev-signin";
  else if (page === "signup" || page === "signout") shown = page;
  // Only the shown form stays: two fields labelled "Password" would confuse people and tools.
  for (const id of ["signin", "signup", "signout", "dev-signin"]) {
    if (id === shown) $(id).hidden = false;
    else $(id).remove();
  }
  document.title = t("account.pageTitle", {
    page: shown === "signup" ? t("account.signup.title") : shown === "signout" ? t("account.signout.title") : shown === "dev-signin" ? t("account.dev.title") : t("account.signin.title"),
  });
  if (shown === "signout") {
    $("signout-who").textContent = options.user ? t("account.signout.who", { name: String(options.user) }) : t("account.signout.none");
    $("signout-button").hidden = !options.user;
  }

  const demo = Array.isArray(options.demo) ? options.demo : [];
  if (demo.length && shown === "signin") {
    $("demo").hidden = false;
    $("demo-accounts").replaceChildren(
      ...demo.map((account) =>
        el("button", {
          type: "button",
          className: "btn btn-secondary",
          textContent: t("account.demo.as", { name: String(account.display || account.name) }),
          onclick: () => go("/api/signin/demo", { name: String(account.name) }),
        }),
      ),
    );
  }

  $("signin-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    go("/api/signin", { name: $("signin-name").value.trim(), password: $("signin-password").value });
  });
  $("signup-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    go("/api/signup", {
      name: $("signup-name").value.trim(),
      display: $("signup-display").value.trim(),
      password: $("signup-password").value,
    });
  });
  $("signout-button")?.addEventListener("click", async () => {
    try {
      setCsrfToken((await api("/api/config")).csrf);
      await api("/api/signout", { body: {} });
    } catch (failure) {
      say(failure.message);
      return;
    }
    location.assign("/signin");
  });
  document.body.dataset.accountReady = "1";
}

start();
