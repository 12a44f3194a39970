// The statement matrix's order: differing rows first (the page's default), catalogue order, or
// by one implementation's verdict (worst first); and a filter showing differing rows only.
(function () {
  var table = document.getElementById('statement-matrix');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var num = function (row, key) { return Number(row.getAttribute(key)); };
  var orders = {
    differs: function (a, b) { return num(b, 'data-differs') - num(a, 'data-differs') || num(a, 'data-order') - num(b, 'data-order'); },
    catalogue: function (a, b) { return num(a, 'data-order') - num(b, 'data-order'); }
  };
  function rank(row, col) { return Number(row.cells[row.cells.length - table.dataset.runs + col].getAttribute('data-rank')); }
  function sort(mode, col) {
    var compare = mode === 'column'
      ? function (a, b) { return rank(a, col) - rank(b, col) || orders.differs(a, b); }
      : orders[mode];
    rows.slice().sort(compare).forEach(function (row) { body.appendChild(row); });
    table.setAttribute('data-sorted', mode === 'column' ? 'column-' + col : mode);
    document.querySelectorAll('[data-sort]').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-sort') === mode));
    });
    table.querySelectorAll('th[data-col]').forEach(function (th) {
      th.setAttribute('aria-sort', mode === 'column' && Number(th.getAttribute('data-col')) === col ? 'ascending' : 'none');
    });
  }
  document.querySelectorAll('[data-sort]').forEach(function (button) {
    button.addEventListener('click', function () { sort(button.getAttribute('data-sort')); });
  });
  table.querySelectorAll('th[data-col]').forEach(function (th) {
    th.addEventListener('click', function () { sort('column', Number(th.getAttribute('data-col'))); });
  });
  var only = document.getElementById('only-differing');
  if (only) {
    only.addEventListener('change', function () {
      rows.forEach(function (row) { row.hidden = only.checked && row.getAttribute('data-differs') !== '1'; });
    });
  }
})();
