// servicecult's own script. Every page works without it; it only adds conveniences.
"use strict";

// Copy buttons: <button data-copy-target="field-id" hidden> next to a read-only
// field. The buttons stay hidden unless this script runs.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  button.hidden = false;
});

async function copyText(field) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // The Clipboard API needs a secure context: select the text for the user.
    field.select();
    return false;
  }
  return true;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field) {
    return;
  }
  const copied = await copyText(field);
  if (status) {
    status.textContent = copied ? "Copied." : "Selected: press Ctrl+C or ⌘C to copy.";
  }
});

// A link field selects its whole text when focused, ready to copy by hand.
document.querySelectorAll(".link-field").forEach((field) => {
  field.addEventListener("focus", () => field.select());
});

// A form marked data-submit-once sends its answers once: a double click would
// otherwise send a second copy, which an anonymous survey link refuses.
document.querySelectorAll("form[data-submit-once]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.submitted) {
      event.preventDefault();
    }
    form.dataset.submitted = "true";
  });
});
