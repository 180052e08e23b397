// The console's shell: sign-in, the caller's role, navigation between views (hash routes).
import { auditPage, schedulesPage } from "./admin.js";
import { api, onUnauthorized, session } from "./api.js";
import { fill } from "./dom.js";
import { rolloutList } from "./rollout-list.js";
import { rolloutPage } from "./rollout-page.js";

const ROLES = ["viewer", "operator", "admin"];
const byId = (id) => document.getElementById(id);

let caller = null;
/** Aborted when the view changes: its event stream and pending calls stop. */
let viewScope = null;

const can = (role) => caller !== null && ROLES.indexOf(caller.role) >= ROLES.indexOf(role);

function showSignIn(notice = "") {
  viewScope?.abort();
  caller = null;
  byId("session").hidden = true;
  byId("nav").hidden = true;
  fill(byId("view"));
  byId("sign-in").hidden = false;
  fill(byId("sign-in-notice"), notice);
  document.title = "Sign in · Policy enforcer";
  byId("token").focus();
}

async function signIn(token) {
  try {
    caller = await api("GET", "/v1/whoami", { token });
  } catch (error) {
    session.signOut();
    showSignIn(error.status === 401 ? "That token is not valid." : `Cannot sign in: ${error.message}`);
    return;
  }
  session.signIn(token);
  byId("sign-in").hidden = true;
  fill(byId("who"), caller.name, " · ", caller.role);
  byId("session").hidden = false;
  for (const item of document.querySelectorAll("[data-min-role]")) item.hidden = !can(item.dataset.minRole);
  byId("nav").hidden = false;
  render(false);
}

const VIEWS = [
  { match: /^#\/rollouts\/([^/]+)$/, title: "Rollout", show: (ctx, id) => rolloutPage(ctx, id) },
  { match: /^#\/schedules$/, title: "Schedules", show: schedulesPage, nav: "schedules" },
  { match: /^#\/audit$/, title: "Audit", show: auditPage, nav: "audit" },
  { match: /^/, title: "Rollouts", show: rolloutList, nav: "rollouts" },
];

function render(moveFocus = true) {
  if (caller === null) return;
  viewScope?.abort();
  viewScope = new AbortController();
  const hash = location.hash;
  const route = VIEWS.find((v) => v.match.test(hash));
  const id = route.match.exec(hash)?.[1];
  const context = { view: byId("view"), signal: viewScope.signal, can, caller };
  fill(context.view);
  route.show(context, id === undefined ? undefined : decodeURIComponent(id));
  document.title = `${route.title} · Policy enforcer`;
  for (const a of byId("nav").querySelectorAll("a")) {
    if (a.dataset.view === route.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // Screen readers and keyboards start at the new view's heading.
  if (moveFocus) context.view.querySelector("h2")?.focus();
}

byId("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId("token");
  const token = input.value.trim();
  input.value = "";
  if (token) signIn(token);
});
byId("sign-out").addEventListener("click", () => {
  session.signOut();
  showSignIn("Signed out.");
});
onUnauthorized(() => {
  session.signOut();
  showSignIn("The API no longer accepts the token: sign in again.");
});
addEventListener("hashchange", () => render());

const saved = session.token();
if (saved) signIn(saved);
else showSignIn();
