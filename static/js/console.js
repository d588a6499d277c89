// Print buttons: the receipt, the statement, the disclosure list, the review report.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A header box that ticks or clears every box of its name in the same form (the queue's bulk
// assignment); it shows "some" when only some are ticked.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-check-all]");
  const form = event.target.form;
  if (!form) return;
  if (all) {
    form.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`).forEach((box) => {
      box.checked = all.checked;
    });
    return;
  }
  const header = form.querySelector(`input[data-check-all="${event.target.name}"]`);
  if (header) {
    const boxes = [...form.querySelectorAll(`input[type=checkbox][name="${event.target.name}"]`)];
    const ticked = boxes.filter((box) => box.checked).length;
    header.checked = ticked === boxes.length && ticked > 0;
    header.indeterminate = ticked > 0 && ticked < boxes.length;
  }
});

// A form sent back with errors opens at its own #fragment (a review's checklist or finding, far
// down a long page). Going there takes focus back to the page: put the cursor in the first field
// to correct, without moving the page again.
window.addEventListener("load", () => {
  if (!window.location.hash || document.activeElement !== document.body) return;
  const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  const field = target && target.querySelector('.is-invalid, [aria-invalid="true"]');
  if (field) field.focus({ preventScroll: true });
}, { once: true });

// An action on a request's page is posted in place and the page part comes back whole. Refused,
// the cursor goes to the first field to correct, in view; done, the page stays where it was (the
// browser's scroll anchoring would otherwise follow the timeline to the bottom of the page).
// Several actions may be open at once: what was typed or chosen in the others is put back, and
// they stay open (one fetched when opened is opened again, and filled once it has arrived).
const drafts = new Map();
const TICKED = "\u0000";  // joins a ticked box's name and value in a draft's keys
let caseSwapped = false;
let sentFrom = null;  // the id of the action (its <details>) whose form was sent
document.addEventListener("htmx:beforeSwap", (event) => {
  const part = document.getElementById("case-main");
  if (!part || event.detail.target !== part || !event.detail.shouldSwap) return;
  caseSwapped = true;
  const sent = event.detail.requestConfig && event.detail.requestConfig.elt;
  const sentForm = sent && sent.closest ? sent.closest("form") : null;
  const sentDetails = sentForm && sentForm.closest("details[id]");
  sentFrom = sentDetails ? sentDetails.id : null;
  drafts.clear();
  part.querySelectorAll("details.action[open] form").forEach((form) => {
    if (form === sentForm) return;
    const kept = {};
    for (const field of form.elements) {
      if (!field.name || field.name === "csrfmiddlewaretoken") continue;
      if (["hidden", "file", "submit", "button"].includes(field.type)) continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) kept[field.name + TICKED + field.value] = true;
      } else if (field.value.trim()) {
        kept[field.name] = field.value;
      }
    }
    if (Object.keys(kept).length) drafts.set(form.closest("details").id, kept);
  });
});
function restoreDrafts() {
  for (const [id, kept] of drafts) {
    const details = document.getElementById(id);
    if (!details) { drafts.delete(id); continue; }
    const form = details.querySelector("form");
    if (!form) { if (!details.open) details.open = true; continue; }  // fetched on opening
    for (const [key, value] of Object.entries(kept)) {
      if (value === true) {
        const [name, ticked] = key.split(TICKED);
        for (const field of form.elements) {
          if (field.name === name && field.value === ticked) field.checked = true;
        }
      } else {
        const field = form.elements.namedItem(key);
        if (field && !(field instanceof RadioNodeList) && "value" in field) field.value = value;
      }
    }
    details.open = true;
    drafts.delete(id);
  }
}
document.addEventListener("htmx:afterSettle", () => {
  restoreDrafts();
  if (!caseSwapped) return;  // another part settled (e.g. a form fetched on opening)
  caseSwapped = false;
  const part = document.getElementById("case-main");
  const field = part && part.querySelector('details[open] .is-invalid, details[open] [aria-invalid="true"]');
  if (field) {
    if (document.activeElement !== field) {
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    }
    return;
  }
  // Done: the page part came back new, so the cursor would fall to the top of the page. It goes
  // back to the action just used (or, gone with the status it belonged to, to what was said),
  // and what was said is read out from a region that was there all along.
  const said = part && part.querySelector(".messages .alert");
  const live = document.getElementById("live-status");
  if (live && said) live.textContent = said.textContent.trim();
  const again = sentFrom && document.getElementById(sentFrom);
  const summary = again && again.querySelector("summary");
  const landing = summary || said;
  if (landing && landing.isConnected && document.activeElement === document.body) {
    if (landing === said) said.setAttribute("tabindex", "-1");
    landing.focus({ preventScroll: true });
  }
});

// An action whose form is fetched when it is opened (assign, refer: long lists) comes back as a
// new element, and the cursor, which was on the heading just replaced, falls to the page. It goes
// to the form's first field instead, as on the actions whose forms are there from the start. Not
// when an action reopens by itself after another was sent: the cursor is elsewhere then.
let fetchedOnOpening = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const asked = event.detail.requestConfig && event.detail.requestConfig.elt;
  const lazy = asked && asked.matches && asked.matches("details.action[hx-get]");
  fetchedOnOpening = lazy && event.detail.shouldSwap ? asked.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!fetchedOnOpening) return;
  const details = document.getElementById(fetchedOnOpening);
  fetchedOnOpening = null;
  const lost = document.activeElement === document.body || !document.activeElement;
  if (!details || !details.open || !lost) return;
  const field = details.querySelector(
    "form input:not([type=hidden]):not([disabled]), form select:not([disabled]), form textarea:not([disabled])"
  );
  if (field) field.focus();
});

// A search box that must not send a full number says why in the browser's own bubble, instead of
// a bare "match the requested format".
document.addEventListener("invalid", (event) => {
  const field = event.target;
  if (field.dataset && field.dataset.patternMessage && field.validity.patternMismatch) {
    field.setCustomValidity(field.dataset.patternMessage);
  }
}, true);
document.addEventListener("input", (event) => {
  const field = event.target;
  if (field.dataset && field.dataset.patternMessage) field.setCustomValidity("");
}, true);

// "More filters" on a phone: shows or folds the queue's other filters.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-more-filters]");
  if (!button) return;
  const form = document.getElementById(button.getAttribute("aria-controls"));
  const open = form.classList.toggle("show-more");
  button.setAttribute("aria-expanded", String(open));
});

// Escape closes the in-place action (or other fold-out) the cursor is in, and puts the cursor on
// its heading, as closing a dialog would.
document.addEventListener("keydown", (event) => {
  // Not while an input method is composing: there Escape only dismisses its candidates.
  if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
  const details = event.target.closest && event.target.closest("details[open]");
  if (!details) return;
  details.open = false;
  const summary = details.querySelector("summary");
  if (summary) summary.focus();
});
