// A double tap on "Send" must not post twice (the server also refuses a repeated submission).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button && event.target.checkValidity()) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
