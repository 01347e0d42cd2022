// A shop's tools in its console: the daily bill to download (a closed day, Asia/Shanghai), the
// notifications that gave up with a resend, and (for the owner) what to configure the SDK with.
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { Membership } from './shop-page.tsx';

interface SdkConfig {
  app_id: string;
  gateway: string;
  endpoint: string;
  alipay_public_key: string;
}

export function ShopTools({ token, shop }: { token: string; shop: Membership }) {
  const base = `/v1/merchant-console/merchants/${shop.merchant_id}`;
  return (
    <>
      {shop.role !== 'support' && <BillDownload token={token} base={base} />}
      <FailedNotifications token={token} base={base} />
      {shop.role === 'owner' && <SdkConfiguration token={token} base={base} />}
    </>
  );
}

/** Yesterday in Shanghai, the last day whose bill is ready. */
function yesterdayInShanghai(): string {
  return new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
}

function BillDownload({ token, base }: { token: string; base: string }) {
  const { t } = useI18n();
  const [date, setDate] = useState(yesterdayInShanghai);
  // The bill needs the session header, so it is fetched and handed to the browser as a file.
  const action = useAction(async () => {
    const response = await fetch(`${base}/bills/${date}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) {
      const body = (await response.json()) as { code: string; message: string };
      throw new ApiError(response.status, body.code, body.message);
    }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = `bill-${date}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Panel title={t('shop.bills')} id="shop-bills">
      <form className="form" onSubmit={submit}>
        <Field label={t('shop.billDate')} name="bill_date" type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        <button type="submit" disabled={action.running}>
          {t('shop.download')}
        </button>
      </form>
      <ErrorMessage error={action.error} />
    </Panel>
  );
}

function FailedNotifications({ token, base }: { token: string; base: string }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const failed = useLoad(`${base}/notifications/failed#${version}`, () =>
    api<{ notifications: { notify_id: string; trade_no: string; last_error: string }[] }>(`${base}/notifications/failed`, { token }),
  );
  const resend = useAction(async (notifyId: string) => {
    await api(`${base}/notifications/${notifyId}/resend`, { method: 'POST', token });
    setVersion((v) => v + 1);
  });
  const list = failed.data?.notifications ?? [];
  return (
    <Panel title={t('shop.failedNotifications')} id="shop-notifications">
      <ErrorMessage error={failed.error ?? resend.error} />
      {list.length === 0 && !failed.loading && <p className="muted">{t('common.none')}</p>}
      <ul className="list">
        {list.map((n) => (
          <li key={n.notify_id}>
            <code>{n.trade_no}</code> <span className="muted">{n.last_error}</span>{' '}
            <button type="button" onClick={() => void resend.run(n.notify_id)} disabled={resend.running}>
              {t('shop.resend')}
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function SdkConfiguration({ token, base }: { token: string; base: string }) {
  const { t } = useI18n();
  const config = useLoad(`${base}/sdk-config`, () => api<SdkConfig>(`${base}/sdk-config`, { token }));
  const [key, setKey] = useState('');
  const [rotated, setRotated] = useState(false);
  const rotate = useAction(async () => {
    await api(`${base}/keys`, { method: 'POST', token, body: { public_key: key.trim() } });
    setKey('');
    setRotated(true);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRotated(false);
    void rotate.run();
  };
  const c = config.data;
  return (
    <Panel title={t('shop.sdk')} id="shop-sdk">
      <ErrorMessage error={config.error} />
      {c && (
        <>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the configuration scrolls sideways, so the keyboard must reach it */}
          <pre className="key" tabIndex={0} data-testid="sdk-config">
            {`new AlipaySdk({\n  appId: '${c.app_id}',\n  privateKey: '<your private key>',\n  alipayPublicKey: \`${c.alipay_public_key.trim()}\`,\n  gateway: '${c.gateway}',\n  endpoint: '${c.endpoint}',\n});`}
          </pre>
          <p className="muted">{t('shop.rotateHint')}</p>
        </>
      )}
      <form className="form" onSubmit={submit}>
        <label className="field wide">
          <span>{t('shop.newKey')}</span>
          <textarea name="new_public_key" rows={4} value={key} onChange={(e) => setKey(e.target.value)} required />
        </label>
        <button type="submit" disabled={rotate.running}>
          {t('shop.rotate')}
        </button>
      </form>
      <ErrorMessage error={rotate.error} />
      {rotated && (
        <p role="status" id="key-rotated">
          {t('shop.rotated')}
        </p>
      )}
    </Panel>
  );
}
