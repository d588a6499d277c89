// Print buttons: the receipt, the statement, the disclosure list, the review report.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
