// Progressive enhancement for checkout: fetch shipping rates once the address
// is readable and keep the total in step with the chosen rate. Without this
// file the "Get shipping rates" button does the same in two steps.
(function () {
  var form = document.getElementById("checkout-form");  // form.action is shadowed by the buttons named "action"
  var step = document.getElementById("shipping-step");
  if (!form || !step || !window.fetch) return;
  function updateTotal() {
    var picked = form.querySelector("input[name=shipping_method]:checked");
    var total = document.getElementById("order-total");
    var sum = parseFloat(step.dataset.base) + (picked ? parseFloat(picked.dataset.quote) : 0);
    if (total) total.textContent = step.dataset.currency + sum.toFixed(2);
  }
  var asked = 0;  // only the latest answer is shown: an older one arriving late would undo a newer address
  function refresh() {
    var elsewhere = form.querySelector("[name=ship_elsewhere]").checked;
    if (!form.querySelector(elsewhere ? "[name=shipping-postcode]" : "[name=postcode]").value.trim()) return;
    var body = new FormData(form);
    body.set("action", "rates");
    var mine = ++asked;
    fetch(form.getAttribute("action"), {method: "POST", body: body, headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== asked) return;
        // Leaving an address field to click a rate asks again; keep the rate the shopper just picked.
        var picked = form.querySelector("input[name=shipping_method]:checked");
        step.innerHTML = html;
        var again = picked && Array.prototype.find.call(
          step.querySelectorAll("input[name=shipping_method]"), function (r) { return r.value === picked.value; });
        if (again) { again.checked = true; updateTotal(); }
      })
      .catch(function () { /* keep the button: the plain form still works */ });
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "shipping_method") return updateTotal();
    if (/(^|-)(postcode|country|state|city|address_1|address_2)$|^ship_elsewhere$/.test(e.target.name)) refresh();
  });
})();
