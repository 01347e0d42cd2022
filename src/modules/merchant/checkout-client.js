// The hosted checkout's script, inlined into the page (plain browser JS, no build). It reads the
// trade from the body's data attributes and the words from the #checkout-text JSON block, never from
// text spliced into code; labels are set with textContent, never parsed as HTML.
// The countdown runs from the server's clock at rendering (data-now), so a skewed phone clock does
// not shorten or stretch it; at zero the form goes. Paying: the wallet's session in this tab (a scan
// from the wallet) or a log-in here, then the balance, a bound card or pay-later (when the buyer's
// line is active and covers the amount), then the payment PIN on a pad (when the buyer has one),
// with one request id per page (a retried click replays it). Confirming: log in and confirm.
(() => {
  const data = document.body.dataset;
  const T = JSON.parse(document.getElementById('checkout-text').textContent);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  const SESSION = 'formica.session';

  const clock = document.getElementById('countdown');
  if (clock) {
    const left = Number(data.timeoutAt) - Number(data.now);
    const start = Date.now();
    const tick = () => {
      const ms = Math.max(0, left - (Date.now() - start));
      const s = Math.floor(ms / 1000);
      clock.textContent = ms > 0 ? `${T.timeLeft} ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : T.timeUp;
      if (ms <= 0) {
        clock.classList.add('over');
        document.getElementById('act')?.remove();
        document.getElementById('choices')?.remove();
        clearInterval(timer);
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }

  const form = document.getElementById('act');
  if (!form) return;
  const action = form.dataset.action;
  const trade = `/v1/trades/${encodeURIComponent(data.tradeNo)}/`;
  const requestId = `chk-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const message = document.getElementById('message');
  const choices = document.getElementById('choices');
  const say = (text) => {
    message.textContent = text;
  };

  async function call(method, path, body, token) {
    const headers = {};
    if (body) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(json.message || json.code || `HTTP ${response.status}`), { status: response.status });
    return { status: response.status, body: json };
  }
  const fail = (error) => say(T.failed + error.message);

  async function pay(token, how, pin) {
    say(T.processing);
    try {
      const body = { request_id: requestId, ...how };
      if (pin) body.payment_pin = pin;
      const insure = document.getElementById('insure');
      if (insure?.checked) body.return_insurance = true;
      const r = await call('POST', `${trade}pay`, body, token);
      if (r.status === 202) return say(T.bankProcessing);
      const insured = r.body.return_insurance && r.body.return_insurance.status === 'bought';
      say(T.paid + (insured ? `, ${T.insured}` : ''));
      // Paid: nothing is left to count down to or to scan.
      for (const done of [choices, clock, document.querySelector('.scan')]) done?.remove();
      document.getElementById('after')?.removeAttribute('hidden');
    } catch (error) {
      fail(error);
    }
  }

  /** Six digits on a pad of large keys; the sixth pays. */
  function pinPad(onPin) {
    const pad = document.createElement('div');
    pad.id = 'pinpad';
    pad.setAttribute('role', 'group');
    pad.setAttribute('aria-label', T.pinTitle);
    const title = document.createElement('p');
    title.className = 'pin-title';
    title.textContent = T.pinTitle;
    const dots = document.createElement('p');
    dots.className = 'pin-dots';
    dots.setAttribute('aria-live', 'polite');
    const keys = document.createElement('div');
    keys.className = 'pin-keys';
    let pin = '';
    const show = () => {
      dots.textContent = '●'.repeat(pin.length) + '○'.repeat(6 - pin.length);
    };
    const key = (label, onPress, name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      if (name) b.dataset.key = name;
      b.addEventListener('click', onPress);
      keys.appendChild(b);
    };
    for (const digit of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) key(digit, () => press(digit), digit);
    key(T.pinCancel, () => pad.remove(), 'cancel');
    key('0', () => press('0'), '0');
    key(
      T.pinDelete,
      () => {
        pin = pin.slice(0, -1);
        show();
      },
      'delete',
    );
    function press(digit) {
      if (pin.length >= 6) return;
      pin += digit;
      show();
      if (pin.length === 6) {
        pad.remove();
        onPin(pin);
      }
    }
    show();
    pad.append(title, dots, keys);
    document.getElementById('pinpad')?.remove();
    choices.after(pad);
    keys.querySelector('button')?.focus();
  }

  function choice(label, sub, onChoose) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'choice';
    b.textContent = label;
    if (sub) {
      const small = document.createElement('small');
      small.textContent = sub;
      b.appendChild(small);
    }
    b.addEventListener('click', onChoose);
    choices.appendChild(b);
  }

  async function offerInsurance(token) {
    if (data.escrow !== '1') return;
    try {
      const q = (await call('GET', `${trade}return-insurance`, undefined, token)).body;
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = 'insure';
      label.append(box, document.createTextNode(` ${fill(T.insure, q)}`));
      choices.appendChild(label);
    } catch {
      // No quote for this trade: it is bought without insurance.
    }
  }

  async function payLaterLine(token) {
    try {
      const line = (await call('GET', '/v1/paylater', undefined, token)).body;
      return line.status === 'active' && Number(line.available) >= Number(data.amount) ? line : undefined;
    } catch {
      return undefined;
    }
  }

  /** With a session: the buyer's ways to pay, each asking for the PIN first when the buyer has one. */
  async function offerChoices(token) {
    const [me, cards, later] = await Promise.all([call('GET', '/v1/me', undefined, token), call('GET', '/v1/cards', undefined, token), payLaterLine(token)]);
    form.remove();
    say('');
    const who = document.createElement('p');
    who.className = 'muted';
    who.id = 'paying-as';
    const phone = String(me.body.phone ?? '');
    // Masked as everywhere else a phone is shown: enough to recognise, not to read out.
    who.textContent = `${T.payAs} ${phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone}`;
    choices.appendChild(who);
    await offerInsurance(token);
    const withPin = (how) => () => (me.body.has_payment_pin ? pinPad((pin) => pay(token, how, pin)) : pay(token, how));
    choice(T.payBalance, '', withPin({}));
    for (const card of (cards.body.cards || []).filter((c) => c.status === 'bound')) {
      choice(`${T.payCard} ${card.bank} ****${card.last4}`, '', withPin({ card_id: card.card_id }));
    }
    if (later) choice(T.payLater, fill(T.payLaterLeft, later), withPin({ funding: 'paylater' }));
  }

  async function logIn() {
    const s = (await call('POST', '/v1/sessions', { phone: form.phone.value, password: form.password.value })).body;
    sessionStorage.setItem(SESSION, s.token);
    return s.token;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    say(T.processing);
    try {
      const token = await logIn();
      if (action === 'confirm') {
        await call('POST', `${trade}confirm`, {}, token);
        say(T.confirmed);
        form.remove();
        return;
      }
      await offerChoices(token);
    } catch (error) {
      fail(error);
    }
  });

  // Opened from the wallet (a scan): its session in this tab pays without a second log-in.
  const saved = sessionStorage.getItem(SESSION);
  if (saved && action === 'pay') {
    offerChoices(saved).catch((error) => {
      if (error.status === 401) sessionStorage.removeItem(SESSION);
      else fail(error);
    });
  }
})();
