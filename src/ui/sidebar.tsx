/** The navigation: card views, the collapsible collections tree (scrolling on its own), todos, agenda, trash, import and export. */
import './sidebar.css';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { buildCollectionTree, type CollectionNode } from './collections/collection-tree.ts';
import { Icon } from './icons.tsx';
import { useRecords } from './live/use-records.ts';
import { navigate, type Route } from './router.ts';

export interface SidebarProps {
  route: Route;
  open: boolean;
  onNavigate: () => void;
  onNewCollection: () => void;
}

function NavLink({
  to,
  current,
  children,
  onNavigate,
}: {
  to: Route;
  current: boolean;
  children: ComponentChildren;
  onNavigate: () => void;
}) {
  const href = to.name === 'cards' ? '/' : to.name === 'collection' ? `/collections/${to.id}` : `/${to.name}`;
  return (
    <a
      href={href}
      class={current ? 'nav-link current' : 'nav-link'}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(to);
        onNavigate();
      }}
    >
      {children}
    </a>
  );
}

const COLLAPSED_KEY = 'burrow:collapsed-collections';

/** The collections whose subcollections are hidden, remembered on this device. */
function useCollapsed(): [Set<string>, (id: string) => void] {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => {
    try {
      return new Set(JSON.parse(localStorage.getItem(COLLAPSED_KEY) ?? '[]') as string[]);
    } catch {
      return new Set();
    }
  });
  const toggle = (id: string) =>
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      localStorage.setItem(COLLAPSED_KEY, JSON.stringify([...next]));
      return next;
    });
  return [collapsed, toggle];
}

export function Sidebar({ route, open, onNavigate, onNewCollection }: SidebarProps) {
  const collections = useRecords('collections');
  const tree = collections ? buildCollectionTree(collections) : [];
  const [collapsed, toggle] = useCollapsed();
  const is = (name: Route['name']) => route.name === name;
  const renderNodes = (nodes: CollectionNode[]) => (
    <ul>
      {nodes.map((node) => {
        const id = node.record.id;
        const folded = collapsed.has(id);
        return (
          <li key={id}>
            <div class="tree-row">
              {node.children.length > 0 ? (
                <button
                  type="button"
                  class="icon-button tree-toggle"
                  aria-expanded={!folded}
                  aria-label={`${folded ? 'Expand' : 'Collapse'} ${node.name}`}
                  onClick={() => toggle(id)}
                >
                  <span aria-hidden="true">{folded ? '▸' : '▾'}</span>
                </button>
              ) : (
                <span class="tree-toggle" aria-hidden="true" />
              )}
              <NavLink
                to={{ name: 'collection', id }}
                current={route.name === 'collection' && route.id === id}
                onNavigate={onNavigate}
              >
                {node.name}
                {node.record.conflict && <span class="badge badge-conflict">Conflict</span>}
              </NavLink>
            </div>
            {node.children.length > 0 && !folded && renderNodes(node.children)}
          </li>
        );
      })}
    </ul>
  );
  return (
    <nav id="sidebar" class={open ? 'sidebar open' : 'sidebar'} aria-label="Main">
      <ul>
        <li>
          <NavLink to={{ name: 'cards' }} current={is('cards')} onNavigate={onNavigate}>
            All cards
          </NavLink>
        </li>
        <li>
          <NavLink to={{ name: 'todos' }} current={is('todos')} onNavigate={onNavigate}>
            Todos
          </NavLink>
        </li>
        <li>
          <NavLink to={{ name: 'agenda' }} current={is('agenda')} onNavigate={onNavigate}>
            Agenda
          </NavLink>
        </li>
      </ul>
      <div class="nav-section">
        <h2 id="collections-heading">Collections</h2>
        <button type="button" class="icon-button" aria-label="New collection" onClick={onNewCollection}>
          <Icon name="plus" />
        </button>
      </div>
      <div class="collection-tree">
        {tree.length ? renderNodes(tree) : <p class="muted small">No collections yet.</p>}
      </div>
      <ul class="nav-footer">
        <li>
          <NavLink to={{ name: 'trash' }} current={is('trash')} onNavigate={onNavigate}>
            Trash
          </NavLink>
        </li>
        <li>
          <NavLink to={{ name: 'import' }} current={is('import')} onNavigate={onNavigate}>
            Import and export
          </NavLink>
        </li>
      </ul>
    </nav>
  );
}
