// An in-app link: a real href (open in a new tab works), followed without reloading the page.
import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { hrefOf, navigate, type Screen } from '../router.ts';

export function Link({ to, ...anchor }: { to: Screen } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={hrefOf(to)} onClick={follow} {...anchor} />;
}
