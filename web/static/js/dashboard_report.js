// The report's print button (the browser's print dialog; A4 print CSS in
// dashboard.css).
const button = document.getElementById("print");
if (button) button.addEventListener("click", () => window.print());
