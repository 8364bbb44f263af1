// The sign-in, sign-up and sign-out pages. Names from the server (demo
// accounts, the signed-in user) only become text nodes, as in the shell.

import { el, api, setCsrfToken } from "./util.js";

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
  let options = { user: null, demo: [], mode: "host" };
  try {
    options = await api("/api/signin");
  } catch (failure) {
    say(`Could not reach the host: ${failure.message}`);
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
  if (shown === "signup") document.title = "Create an account · Capsule";
  if (shown === "signout") {
    document.title = "Sign out · Capsule";
    $("signout-who").textContent = options.user ? `Signed in as ${options.user}.` : "You are not signed in.";
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
          textContent: `Sign in as ${String(account.display || account.name)}`,
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
