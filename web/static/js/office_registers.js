// The registers page's order form: a number beside every street and every
// community; saving sends the order those numbers give (office_util.js
// placeOrder) to PUT /api/v1/streets/order, which checks it, and the page
// reloads in the new order.

import { bindForm } from "./form.js";
import { placeOrder } from "./office_util.js";

const form = document.getElementById("place-order");
if (form) {
  bindForm(form, {
    url: form.dataset.url,
    method: "PUT",
    toBody: (f) =>
      placeOrder(
        [...f.querySelectorAll("input[data-place]")].map((el) => ({
          id: Number(el.dataset.place),
          n: el.value.trim() === "" ? NaN : Number(el.value),
          group: el.dataset.street || "",
        })),
      ),
    onSuccess: () => location.reload(),
  });
}
