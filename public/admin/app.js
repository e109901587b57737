// The admin dashboard: signs in through the auth API, then reads the analytics and queue endpoints
// with the access token. No build step, no inline script or style (the page runs under a strict CSP).
(function () {
  'use strict';
  const API = '/api/v1';
  const TOKEN_KEY = 'commerce-admin-token';
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $('status').textContent = text; };
  let token = sessionStorage.getItem(TOKEN_KEY);
  let chart = null;

  const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat();

  async function api(path, options = {}) {
    const res = await fetch(API + path, {
      ...options,
      headers: { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    });
    const body = await res.json().catch(() => null);
    if (res.status === 401 && path !== '/auth/login') signOut('Your session has ended; please sign in again.');
    if (!res.ok) throw Object.assign(new Error((body && body.message) || 'Request failed (' + res.status + ')'), { status: res.status, code: body && body.code });
    return body;
  }

  function showDashboard(visible) {
    $('sign-in').hidden = visible;
    $('dashboard').hidden = !visible;
    $('sign-out').hidden = !visible;
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showDashboard(false);
    status(message || 'Signed out.');
    $('email').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    try {
      const body = await api('/auth/login', { method: 'POST', body: JSON.stringify({ email: $('email').value, password: $('password').value }) });
      if (body.data.account.role !== 'admin') {
        $('sign-in-error').textContent = 'This dashboard is for administrators.';
        return;
      }
      token = body.data.tokens.accessToken;
      sessionStorage.setItem(TOKEN_KEY, token);
      $('password').value = '';
      showDashboard(true);
      await refresh();
      $('from').focus();
    } catch (err) {
      $('sign-in-error').textContent = err.status === 401 ? 'Email or password is wrong.' : err.message;
    }
  }

  function isoDate(d) {
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  }

  function defaults() {
    const to = new Date();
    to.setDate(to.getDate() + 1);
    const from = new Date(to);
    from.setDate(from.getDate() - 30);
    $('from').value = isoDate(from);
    $('to').value = isoDate(to);
    $('tz').value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }

  function query() {
    return new URLSearchParams({ from: $('from').value, to: $('to').value, interval: $('interval').value, tz: $('tz').value.trim() });
  }

  function cell(row, text, numeric) {
    const td = document.createElement('td');
    td.textContent = text;
    if (numeric) td.className = 'num';
    row.appendChild(td);
  }

  function fillTable(id, rows, columns, empty) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (!rows.length) {
      const tr = body.insertRow();
      const td = document.createElement('td');
      td.colSpan = columns.length;
      td.textContent = empty;
      tr.appendChild(td);
      return;
    }
    for (const row of rows) {
      const tr = body.insertRow();
      columns.forEach(([get, numeric]) => cell(tr, get(row), numeric));
    }
  }

  function renderKpis(data) {
    const items = [
      ['Orders', count.format(data.totals.orders), data.change.orders],
      ['Net revenue', money.format(data.totals.netRevenue), data.change.netRevenue],
      ['Gross revenue', money.format(data.totals.grossRevenue), data.change.grossRevenue],
      ['Average order', money.format(data.totals.averageOrderValue), data.change.averageOrderValue],
      ['New customers', count.format(data.totals.newCustomers), data.change.newCustomers],
    ];
    $('kpis').replaceChildren(...items.map(([label, value, change]) => {
      const li = document.createElement('li');
      const l = document.createElement('span'); l.className = 'label'; l.textContent = label;
      const v = document.createElement('span'); v.className = 'value'; v.textContent = value;
      const c = document.createElement('span');
      c.textContent = change === null ? 'no previous data' : (change >= 0 ? '▲ ' : '▼ ') + Math.abs(change) + '% vs previous period';
      if (change !== null) c.className = change >= 0 ? 'up' : 'down';
      li.append(l, v, c);
      return li;
    }));
  }

  function renderChart(series) {
    const labels = series.map((b) => b.period);
    const datasets = [
      { label: 'Net revenue', data: series.map((b) => b.netRevenue), borderColor: '#0a5bd3', backgroundColor: '#0a5bd3', yAxisID: 'revenue', tension: 0.2 },
      { label: 'Orders', data: series.map((b) => b.orders), borderColor: '#b45309', backgroundColor: '#b45309', yAxisID: 'orders', tension: 0.2 },
    ];
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets = datasets;
      chart.update();
    } else {
      chart = new window.Chart($('sales-chart'), {
        type: 'line',
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            revenue: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'Net revenue' } },
            orders: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: 'Orders' } },
          },
        },
      });
    }
    $('sales-chart').setAttribute('aria-label', 'Net revenue and orders per ' + $('interval').value + ': ' + series.length + ' periods');
    $('sales-chart').dataset.points = String(series.length);
    fillTable('series-table', series, [[(b) => b.period], [(b) => count.format(b.orders), true], [(b) => money.format(b.netRevenue), true]], 'No sales in this range.');
  }

  async function loadQueue() {
    const dl = $('queue');
    try {
      const body = await api('/admin/jobs/stats');
      const stats = body.data.email;
      dl.replaceChildren(...Object.entries(stats).flatMap(([state, n]) => {
        const dt = document.createElement('dt'); dt.textContent = state;
        const dd = document.createElement('dd'); dd.textContent = count.format(n);
        if (state === 'failed' && n > 0) dd.className = 'bad';
        return [dt, dd];
      }));
    } catch (err) {
      const dt = document.createElement('dt'); dt.textContent = 'email queue';
      const dd = document.createElement('dd'); dd.textContent = err.status === 503 ? 'not inspectable here' : 'unavailable';
      dl.replaceChildren(dt, dd);
    }
  }

  async function loadLowStock() {
    const body = await api('/analytics/low-stock?threshold=' + encodeURIComponent($('threshold').value || '5') + '&limit=20');
    fillTable('low-stock', body.data.items, [[(v) => v.name], [(v) => v.sku], [(v) => count.format(v.stock), true]], 'Nothing below the threshold.');
  }

  async function refresh(event) {
    if (event) event.preventDefault();
    status('Loading…');
    try {
      const q = query();
      const [sales, top] = await Promise.all([api('/analytics/sales?' + q), api('/analytics/top-products?' + new URLSearchParams({ from: q.get('from'), to: q.get('to'), tz: q.get('tz'), limit: '10' }))]);
      renderKpis(sales.data);
      renderChart(sales.data.series);
      fillTable('top-products', top.data.items, [[(p) => p.name || p.productId], [(p) => count.format(p.units), true], [(p) => money.format(p.revenue), true]], 'No sales in this range.');
      await Promise.all([loadLowStock(), loadQueue()]);
      status('Updated ' + new Date().toLocaleTimeString() + ' — ' + sales.data.series.length + ' periods.');
      document.body.dataset.loaded = 'true';
    } catch (err) {
      if (err.status !== 401) status('Could not load: ' + err.message);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    defaults();
    $('sign-in-form').addEventListener('submit', signIn);
    $('filters').addEventListener('submit', refresh);
    $('threshold').addEventListener('change', () => loadLowStock().catch((err) => status(err.message)));
    $('sign-out').addEventListener('click', () => signOut());
    if (token) {
      showDashboard(true);
      refresh();
    } else {
      $('email').focus();
    }
  });
})();
