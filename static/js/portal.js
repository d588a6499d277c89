// The worker portal's small enhancements. Every form works without them.
(() => {
  "use strict";

  // --- A form on its way ----------------------------------------------------------------------
  // A double tap on "Send" must not post twice (the server also refuses a repeated submission),
  // and on a slow network the worker must see that something is happening.
  function showBusy(form) {
    const button = form.querySelector("button[data-once]");
    if (!button) return;
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    button.dataset.idleText = button.textContent;
    if (button.dataset.busyText) button.textContent = button.dataset.busyText;
    button.classList.add("is-busy");
    // Disabled a moment later: disabling it now could stop this very submission in some browsers.
    setTimeout(() => { button.disabled = true; }, 0);
  }

  function resetBusy(form) {
    const button = form.querySelector("button[data-once]");
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    if (!button) return;
    if (button.dataset.idleText) button.textContent = button.dataset.idleText;
    button.classList.remove("is-busy");
    button.disabled = false;
  }

  // --- Photos shrunk before upload -------------------------------------------------------------
  // Phone photos are 3–6 MB; at 400 kbit/s that is minutes. 1600 px at JPEG 0.82 is plenty to
  // read a document or see damage, and is a few hundred KB. Anything that fails sends originals.
  const SHRINK_ABOVE = 1024 * 1024;
  const MAX_SIDE = 1600;
  const QUALITY = 0.82;
  const SHRINKABLE = new Set(["image/jpeg", "image/png", "image/webp"]);

  const canShrink = () =>
    typeof DataTransfer === "function" && typeof HTMLCanvasElement.prototype.toBlob === "function";
  const needsShrink = (file) => SHRINKABLE.has(file.type) && file.size > SHRINK_ABOVE;

  function readAsDataURL(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function decode(file) {
    // createImageBitmap is not subject to the page's img-src policy and keeps memory low; where
    // it cannot turn the photo upright (EXIF), an <img> from a data: URL does.
    if (typeof createImageBitmap === "function") {
      try {
        return await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch (error) { /* fall through */ }
    }
    const img = new Image();
    img.src = await readAsDataURL(file);
    await img.decode();
    return img;
  }

  async function shrink(file) {
    const image = await decode(file);
    const width = image.naturalWidth || image.width;
    const height = image.naturalHeight || image.height;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG turns white, not black, as a JPEG
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (typeof image.close === "function") image.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    canvas.width = canvas.height = 0; // free the pixels at once on a phone short of memory
    if (!blob || blob.size >= file.size) return file;
    const name = file.name.replace(/\.[^./]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
  }

  async function shrinkInput(input) {
    const files = [];
    for (const file of input.files) {
      let smaller = file;
      if (needsShrink(file)) {
        try { smaller = await shrink(file); } catch (error) { smaller = file; }
      }
      files.push(smaller);
    }
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("button[data-once]")) return;
    if (form.dataset.sending) { event.preventDefault(); return; }
    if (!form.checkValidity()) return;
    showBusy(form);
    const inputs = canShrink()
      ? [...form.querySelectorAll('input[type="file"]')].filter((i) => [...i.files].some(needsShrink))
      : [];
    if (!inputs.length) return;
    event.preventDefault();
    (async () => {
      try {
        for (const input of inputs) await shrinkInput(input);
      } catch (error) { /* the originals are still in the inputs */ }
      HTMLFormElement.prototype.submit.call(form);
    })();
  });

  // --- Errors in sight -------------------------------------------------------------------------
  // A form that came back with errors: move to its first invalid field (the summary on top of
  // the form lists them all).
  function focusFirstError() {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    const form = summary.closest("form") || document;
    const field = form.querySelector(
      '[aria-invalid="true"], .has-error input:not([type="hidden"]), .has-error textarea, .has-error select',
    );
    const target = field || summary;
    if (!field) summary.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    const label = field && (field.closest("fieldset") || form.querySelector(`label[for="${field.id}"]`));
    const summaryBox = summary.getBoundingClientRect();
    const fieldBox = (label || target).getBoundingClientRect();
    // Show the summary with the field when both fit on the screen, else the field.
    const fits = fieldBox.bottom - summaryBox.top < window.innerHeight * 0.8;
    (fits ? summary : label || target).scrollIntoView({ block: fits ? "start" : "center" });
  }
  focusFirstError(); // the script is deferred: the page is parsed
  // Going to the form's #fragment (which works without this script) takes focus back to the
  // page: move it again once that is done.
  window.addEventListener("load", () => {
    if (document.activeElement === document.body) focusFirstError();
  }, { once: true });

  // --- Drafts kept in this tab -------------------------------------------------------------------
  // What a worker typed must survive a sign-in that ran out while they typed (after signing in
  // again the form comes back empty) or a reload. Kept in sessionStorage under the worker's own
  // name: this tab only, gone when it closes or the worker signs out. The form's key goes with
  // it, so a draft that was in fact received is not opened twice. Cleared once the request it
  // became is shown.
  const DRAFTS = "unionhub:draft:";
  const isChoice = (el) => el.type === "radio" || el.type === "checkbox";
  const draftFields = (form) => [...form.elements].filter(
    (el) => el.name && !["file", "hidden", "submit", "button"].includes(el.type),
  );
  const readDraft = (name) => {
    try { return JSON.parse(sessionStorage.getItem(DRAFTS + name) || "null"); } catch { return null; }
  };
  const dropDraft = (name) => { try { sessionStorage.removeItem(DRAFTS + name); } catch { /* none */ } };

  function saveDraft(form) {
    const values = {};
    for (const el of draftFields(form)) {
      if (isChoice(el) ? el.checked : el.value.trim()) values[el.name] = el.value;
    }
    if (!Object.keys(values).length) { dropDraft(form.dataset.draft); return; }
    const key = form.querySelector("[name=submission_key]");
    const draft = JSON.stringify({ values, key: key ? key.value : "" });
    try { sessionStorage.setItem(DRAFTS + form.dataset.draft, draft); } catch { /* full */ }
  }

  function restoreDraft(form) {
    const draft = readDraft(form.dataset.draft);
    if (!draft) return;
    // A form that came back from the server holds what was sent: that wins.
    if (draftFields(form).some((el) => (isChoice(el) ? el.checked : el.value))) return;
    for (const el of draftFields(form)) {
      const value = draft.values[el.name];
      if (value === undefined) continue;
      if (isChoice(el)) el.checked = el.value === value;
      else el.value = value;
    }
    const key = form.querySelector("[name=submission_key]");
    if (key && draft.key) {
      key.dataset.fresh = key.value;
      key.value = draft.key;
    }
    const note = form.querySelector("[data-draft-restored]");
    if (note) note.hidden = false;
  }

  document.querySelectorAll("form[data-draft]").forEach((form) => {
    restoreDraft(form);
    form.addEventListener("input", () => saveDraft(form));
    form.addEventListener("change", () => saveDraft(form));
    form.addEventListener("click", (event) => {
      if (!event.target.closest("[data-draft-discard]")) return;
      dropDraft(form.dataset.draft);
      form.reset();
      // A hidden field keeps what was set: the form's own key comes back, for a new request.
      const key = form.querySelector("[name=submission_key][data-fresh]");
      if (key) key.value = key.dataset.fresh;
      form.querySelector("[data-draft-restored]").hidden = true;
    });
  });
  // Signing out leaves nothing typed behind for whoever uses the phone next.
  document.addEventListener("submit", (event) => {
    if (!event.target.matches("form[data-clear-drafts]")) return;
    try {
      Object.keys(sessionStorage).filter((k) => k.startsWith(DRAFTS))
        .forEach((k) => sessionStorage.removeItem(k));
    } catch { /* none */ }
  });
  document.querySelectorAll("[data-draft-sent]").forEach((el) => {
    const draft = readDraft(el.dataset.draftSent);
    if (draft && draft.key === el.dataset.draftKey) dropDraft(el.dataset.draftSent);
  });

  // --- Room left in a field ----------------------------------------------------------------------
  // A browser's maxlength cuts pasted text off without a word (2,100 characters pasted, 2,000
  // kept). Here the field takes everything and a line under it says how much room is left, and
  // how much is too much; a form with too much is not sent until it is shortened (the server would
  // refuse it and the photos chosen would have to be chosen again). Without this script the
  // maxlength stays, and the help text says the limit.
  const words = document.querySelector("[data-count-words]");
  const NEAR = 0.1; // the last tenth of the room: the line turns to a warning

  // As the server counts: leading and trailing spaces dropped, characters (not UTF-16 units),
  // and a line break counted twice, as the browser sends it (CR LF).
  function lengthSent(value) {
    const text = value.trim();
    return [...text].length + (text.match(/\n/g) || []).length;
  }

  function say(kind, n) {
    const text = words.dataset[`${kind}${n === 1 ? "One" : "Other"}`] || "";
    return text.replace("{n}", String(n));
  }

  function updateCount(field) {
    const limit = Number(field.dataset.limit);
    const used = lengthSent(field.value);
    const line = field.countLine;
    const over = used > limit;
    const near = !over && limit - used <= Math.max(1, Math.floor(limit * NEAR));
    line.textContent = over ? say("over", used - limit) : say("left", limit - used);
    line.classList.toggle("is-near", near);
    line.classList.toggle("is-over", over);
    // Read out when the state changes (near the end, over it), not at every key.
    const state = over ? "over" : near ? "near" : "";
    if (state !== field.dataset.countState) {
      field.dataset.countState = state;
      if (state) field.countStatus.textContent = line.textContent;
    }
    return !over;
  }

  const counted = words
    ? [...document.querySelectorAll("textarea[maxlength], input[maxlength][data-count]")]
    : [];
  counted.forEach((field) => {
    field.dataset.limit = field.getAttribute("maxlength");
    field.removeAttribute("maxlength");
    const line = document.createElement("p");
    line.className = "char-count";
    line.id = `${field.id || field.name}-count`;
    field.after(line);
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    line.after(status);
    field.countLine = line;
    field.countStatus = status;
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${line.id} ${described}` : line.id);
    updateCount(field);
    field.addEventListener("input", () => updateCount(field));
    // After "Clear it and start again" (form.reset) the fields change without an input event.
    if (field.form) field.form.addEventListener("reset", () => setTimeout(() => updateCount(field)));
  });

  // Before the sending handler above (capture): a form with a field over its limit stays here.
  document.addEventListener("submit", (event) => {
    const tooLong = counted.find((field) => field.form === event.target && !updateCount(field));
    if (!tooLong) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    tooLong.focus({ preventScroll: true });
    tooLong.scrollIntoView({ block: "center" });
  }, true);

  // --- Print ------------------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });

  // --- No stale pages after Back ----------------------------------------------------------------
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // The inbox changes as messages are read: a copy from the back-forward cache is stale.
    if (document.querySelector("[data-reload-on-back]")) {
      window.location.reload();
      return;
    }
    // A page restored after sending: its buttons must work again.
    document.querySelectorAll("form[data-sending]").forEach(resetBusy);
  });
})();
