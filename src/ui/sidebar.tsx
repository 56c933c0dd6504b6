/** The navigation: card views, the collections tree, todos, agenda, trash, import and export. */
import './sidebar.css';
import type { ComponentChildren } from 'preact';
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

export function Sidebar({ route, open, onNavigate, onNewCollection }: SidebarProps) {
  const collections = useRecords('collections');
  const tree = collections ? buildCollectionTree(collections) : [];
  const is = (name: Route['name']) => route.name === name;
  const renderNodes = (nodes: CollectionNode[]) => (
    <ul>
      {nodes.map((node) => (
        <li key={node.record.id}>
          <NavLink
            to={{ name: 'collection', id: node.record.id }}
            current={route.name === 'collection' && route.id === node.record.id}
            onNavigate={onNavigate}
          >
            {node.name}
            {node.record.conflict && <span class="badge badge-conflict">Conflict</span>}
          </NavLink>
          {node.children.length > 0 && renderNodes(node.children)}
        </li>
      ))}
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
