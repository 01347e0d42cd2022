// Red packets: the user's friends and groups, the chosen group's packets (newest first), a new group
// of friends, sending a packet to a group, and one packet (picked from the group's packets, opened
// from its link, /app/redpackets?packet=<id>, or by its code).
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { GroupPackets } from './group-packets.tsx';
import { PacketView } from './red-packet-view.tsx';
import { SendPacket } from './send-packet.tsx';
import { useSession } from './session-context.ts';

export interface Friend {
  user_id: string;
  phone: string;
  name: string;
}

interface Group {
  group_id: string;
  name: string;
  member_count: number;
}

/** The packet named in the address, so a shared link opens straight to it. */
function packetInAddress(): string {
  return new URLSearchParams(window.location.search).get('packet') ?? '';
}

export function RedPackets() {
  const { t } = useI18n();
  const { token, version } = useSession();
  const [packet, setPacket] = useState(packetInAddress);
  const [groupsRound, setGroupsRound] = useState(0);
  /** Moves on each packet sent or opened here, so the group's list shows it. */
  const [feedRound, setFeedRound] = useState(0);
  const friends = useLoad(`friends#${version}`, () => api<{ friends: Friend[] }>('/v1/friends?limit=100', { token }));
  const groups = useLoad(`groups#${groupsRound}`, () => api<{ groups: Group[] }>('/v1/groups?limit=100', { token }));
  const [chosen, setChosen] = useState('');
  const groupId = chosen || groups.data?.groups[0]?.group_id || '';
  const show = (packetId: string) => {
    window.history.replaceState(null, '', `?packet=${encodeURIComponent(packetId)}`);
    setPacket(packetId);
  };
  const changed = useCallback(() => setFeedRound((r) => r + 1), []);
  const sent = (packetId: string) => {
    changed();
    show(packetId);
  };
  return (
    <div className="stack" id="redpackets">
      <ScreenTitle title={t('rp.title')} back />
      {packet && <PacketView key={packet} packetId={packet} friends={friends.data?.friends ?? []} onOpened={changed} />}
      <OpenByCode onOpen={show} />
      <section className="card-box form-stack" aria-labelledby="groups-title">
        <h2 id="groups-title">{t('rp.groups')}</h2>
        {groups.data?.groups.length === 0 && <p className="muted">{t('rp.noGroups')}</p>}
        {(groups.data?.groups.length ?? 0) > 0 && (
          <label className="field">
            <span>{t('rp.group')}</span>
            <select name="group" id="rp-group" value={groupId} onChange={(e) => setChosen(e.target.value)}>
              {groups.data?.groups.map((g) => (
                <option key={g.group_id} value={g.group_id}>
                  {t('rp.groupOption', { name: g.name, count: g.member_count })}
                </option>
              ))}
            </select>
          </label>
        )}
        <ErrorMessage error={groups.error ?? friends.error} />
      </section>
      {groupId && <GroupPackets groupId={groupId} round={feedRound} onShow={show} />}
      {groupId && <SendPacket groupId={groupId} onSent={sent} />}
      <NewGroup
        friends={friends.data?.friends ?? []}
        onCreated={(id) => {
          setChosen(id);
          setGroupsRound((r) => r + 1);
        }}
      />
      <AddFriend onAdded={friends.reload} />
    </div>
  );
}

function OpenByCode({ onOpen }: { onOpen: (packetId: string) => void }) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) onOpen(code.trim());
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="code-title" id="rp-code">
      <h2 id="code-title">{t('rp.byCode')}</h2>
      <Field label={t('rp.code')} name="packet_id" autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} required />
      <button type="submit">{t('rp.show')}</button>
    </form>
  );
}

function NewGroup({ friends, onCreated }: { friends: readonly Friend[]; onCreated: (groupId: string) => void }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [name, setName] = useState('');
  const [phones, setPhones] = useState<readonly string[]>([]);
  const toggle = (phone: string) => setPhones((p) => (p.includes(phone) ? p.filter((x) => x !== phone) : [...p, phone]));
  const create = useCallback(async () => {
    const group = await api<{ group_id: string }>('/v1/groups', { method: 'POST', token, body: { name: name.trim(), member_phones: phones } });
    setName('');
    setPhones([]);
    onCreated(group.group_id);
  }, [name, phones, token, onCreated]);
  const action = useAction(create);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="new-group-title" id="rp-new-group">
      <h2 id="new-group-title">{t('rp.newGroup')}</h2>
      <Field label={t('rp.groupName')} name="group_name" maxLength={64} value={name} onChange={(e) => setName(e.target.value)} required />
      <fieldset className="choices">
        <legend>{t('rp.members')}</legend>
        {friends.length === 0 && <p className="muted">{t('rp.noFriends')}</p>}
        {friends.map((f) => (
          <label key={f.user_id}>
            <input type="checkbox" name="member" value={f.phone} checked={phones.includes(f.phone)} onChange={() => toggle(f.phone)} />
            <span>
              {f.name} · {f.phone}
            </span>
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={action.running}>
        {t('rp.createGroup')}
      </button>
      <ErrorMessage error={action.error} />
    </form>
  );
}

function AddFriend({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [phone, setPhone] = useState('');
  const add = useCallback(async () => {
    await api('/v1/friends', { method: 'POST', token, body: { phone: phone.trim() } });
    setPhone('');
    onAdded();
  }, [phone, token, onAdded]);
  const action = useAction(add);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="friend-title" id="rp-friend">
      <h2 id="friend-title">{t('rp.addFriend')}</h2>
      <Field
        label={t('rp.friendPhone')}
        name="friend_phone"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        value={phone}
        onChange={(e) => setPhone(e.target.value)}
        required
      />
      <button type="submit" disabled={action.running}>
        {t('rp.addFriend.submit')}
      </button>
      <ErrorMessage error={action.error} />
    </form>
  );
}
