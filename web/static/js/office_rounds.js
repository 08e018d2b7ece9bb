// The rounds page: a rule file chosen for a new round is read into the
// rule box, where it can be checked and edited before the form posts it
// (as text: the server reads YAML or JSON and names each problem's line).

const file = document.getElementById("rule-file");
const box = document.querySelector("#round-create textarea[name=rule]");
if (file && box) {
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (f) box.value = await f.text();
  });
}
