/** The app shell: header (workspace, search, sync status, account), navigation, views, dialogs. */
import './app.css';
import './views.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CardFields } from '../../protocol/index.ts';
import type { BurrowClient, RecordView } from '../api/client.ts';
import { AppContext, type AppContextValue, useApp } from './app-context.ts';
import { CardsView } from './cards/cards-view.tsx';
import { ErrorBoundary } from './error-boundary.tsx';
import { Icon } from './icons.tsx';
import { SHOW_KEY_HINTS, useKeyboardShortcuts } from './keyboard.ts';
import { lazyComponent } from './lazy-component.tsx';
import { usePresence, useSyncSelection } from './live/use-records.ts';
import { navigate, type Route, useRoute } from './router.ts';
import { cardFromShare, readSharedData } from './share.ts';
import { Sidebar } from './sidebar.tsx';
import { InitialSyncBar, StatusPill } from './status-pill.tsx';
import { SyncNotice } from './sync-notice.tsx';
import { Toasts, useToasts } from './toasts.tsx';
import { useWorkspaces } from './workspaces/workspace-state.ts';

// Rarely used views are loaded when first opened: the first view's code stays small.
/** Loaded at every start: it finishes an import cut short, if there is one. */
const ImportResume = lazyComponent(() => import('./import-export-resume.tsx').then((module) => module.ImportResume));
const ImportExportView = lazyComponent(
  () => import('./import-export-view.tsx').then((module) => module.ImportExportView),
  <p class="loading">Loading…</p>,
);
const ReadingView = lazyComponent(() => import('./cards/reading-view.tsx').then((module) => module.ReadingView));
const SyncPanel = lazyComponent(() => import('./sync-panel/sync-panel.tsx').then((module) => module.SyncPanel));
// Dialogs and the views past the first: loaded on first use (from the worker's precache, so at once).
const CardEditor = lazyComponent(() => import('./cards/card-editor.tsx').then((module) => module.CardEditor));
const AccountDialog = lazyComponent(() => import('./account-dialog.tsx').then((module) => module.AccountDialog));
const CollectionDialog = lazyComponent(() =>
  import('./collections/collection-dialog.tsx').then((module) => module.CollectionDialog),
);
const WorkspacesDialog = lazyComponent(() =>
  import('./workspaces/workspaces-dialog.tsx').then((module) => module.WorkspacesDialog),
);
const LOADING_VIEW = <p class="loading">Loading…</p>;
const TodosView = lazyComponent(() => import('./todos-view.tsx').then((module) => module.TodosView), LOADING_VIEW);
const AgendaView = lazyComponent(
  () => import('./agenda/agenda-view.tsx').then((module) => module.AgendaView),
  LOADING_VIEW,
);
const TrashView = lazyComponent(() => import('./trash-view.tsx').then((module) => module.TrashView), LOADING_VIEW);

export interface AppProps {
  client: BurrowClient;
  /** Subscribes to "a new version is waiting"; the callback gets a function that reloads into it. */
  onUpdateAvailable?: (listener: (reload: () => void) => void) => void;
}

/** The card to open: an existing one, or a new one of a kind (prefilled when shared to /share). */
type CardTarget = { id: string } | { kind: 'link' | 'note'; initial?: CardFields };

type Modal =
  | { name: 'card'; target: CardTarget }
  | { name: 'reader'; cardId: string }
  | { name: 'sync' }
  | { name: 'account' }
  | { name: 'workspaces' }
  | { name: 'collection'; collection?: RecordView; parentId?: string };

export function App({ client, onUpdateAvailable }: AppProps) {
  const [ready, setReady] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [toasts, toast, dismissToast] = useToasts();
  const [modal, setModal] = useState<Modal | null>(null);
  const [search, setSearch] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  const [update, setUpdate] = useState<(() => void) | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const route = useRoute();
  const syncsToAccount = useSyncSelection(
    client,
    (status) => status.state !== 'local-only' && status.state !== 'signed-out',
  );
  const presence = usePresence(client);
  const workspaces = useWorkspaces(client, ready);

  useEffect(() => {
    client.ready.then(
      () => setReady(true),
      (error: Error) => setStartError(error.message),
    );
  }, [client]);
  useEffect(() => onUpdateAvailable?.((reload) => setUpdate(() => reload)), [onUpdateAvailable]);
  useKeyboardShortcuts({
    newCard: () => setModal((current) => current ?? { name: 'card', target: { kind: 'note' } }),
    focusSearch: () => searchRef.current?.focus(),
  });

  const workspace = workspaces.current;
  const context = useMemo<AppContextValue | null>(
    () =>
      workspace && {
        client: workspaces.client,
        workspaceId: workspace.id,
        syncsToAccount,
        toast,
        openCard: (target) => setModal({ name: 'card', target }),
        openReader: (cardId) => setModal({ name: 'reader', cardId }),
        openSyncPanel: () => setModal({ name: 'sync' }),
      },
    [workspaces.client, workspace?.id, toast, syncsToAccount],
  );
  useShareTarget(route, context, (target) => setModal({ name: 'card', target }));
  useEffect(() => {
    // The first real view: what the app benchmark times from navigation start.
    if (context && performance.getEntriesByName('burrow:first-view').length === 0)
      performance.mark('burrow:first-view');
  }, [context]);

  const account = ready ? client.account() : null;
  return (
    <div class="app">
      <header class="app-header">
        <button
          type="button"
          class="icon-button menu-button"
          aria-label="Menu"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <Icon name="menu" />
        </button>
        <a
          class="brand"
          aria-label="Burrow: all cards"
          href="/"
          onClick={(event) => {
            event.preventDefault();
            navigate({ name: 'cards' });
          }}
        >
          <img src="/icons/icon-192.png" alt="" width="28" height="28" />
          <span>Burrow</span>
        </a>
        <div class="workspace-picker">
          <label class="visually-hidden" for="workspace-select">
            Workspace
          </label>
          <select
            id="workspace-select"
            value={workspace?.id ?? ''}
            disabled={!workspaces.workspaces}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (value === '__manage') setModal({ name: 'workspaces' });
              else workspaces.switchTo(value);
            }}
          >
            {(workspaces.workspaces ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.fields.name as string}
              </option>
            ))}
            <option value="__manage">Manage workspaces…</option>
          </select>
        </div>
        <search class="search">
          <label class="visually-hidden" for="search-input">
            Search cards
          </label>
          <input
            id="search-input"
            ref={searchRef}
            type="search"
            placeholder={SHOW_KEY_HINTS ? 'Search (press /)' : 'Search'}
            value={search}
            onInput={(event) => {
              setSearch(event.currentTarget.value);
              if (route.name !== 'cards' && route.name !== 'collection') navigate({ name: 'cards' });
            }}
          />
        </search>
        <div class="header-end">
          {presence.tabs > 1 && <span class="tabs-count">Open in {presence.tabs} tabs</span>}
          <StatusPill client={client} onOpen={() => setModal({ name: 'sync' })} />
          <button type="button" class="button account-button" onClick={() => setModal({ name: 'account' })}>
            <Icon name="person" />
            <span class="account-label">{account ? 'Account' : 'Sign in'}</span>
          </button>
        </div>
        <SyncNotice client={client} onOpenSyncPanel={() => setModal({ name: 'sync' })} />
        <Toasts toasts={toasts} dismiss={dismissToast} />
      </header>
      {update && (
        <div class="banner" role="status">
          A new version is available.{' '}
          <button type="button" class="button" onClick={update}>
            Reload
          </button>
        </div>
      )}
      <InitialSyncBar client={client} />
      {startError && (
        <p class="banner banner-error" role="alert">
          Burrow could not open its storage on this device: {startError}
        </p>
      )}
      {context ? (
        <AppContext.Provider value={context}>
          <ImportResume />
          <div class="layout">
            <Sidebar
              route={route}
              open={menuOpen}
              onNavigate={() => setMenuOpen(false)}
              onNewCollection={() => setModal({ name: 'collection' })}
            />
            <main class="main" id="main">
              <ErrorBoundary key={route.name} what="This view">
                <CurrentView
                  route={route}
                  search={search}
                  workspaceName={workspace!.fields.name as string}
                  onEditCollection={(collection) => setModal({ name: 'collection', collection })}
                  onNewSubcollection={(parentId) => setModal({ name: 'collection', parentId })}
                />
              </ErrorBoundary>
            </main>
          </div>
          <Modals
            modal={modal}
            setModal={setModal}
            workspaces={workspaces.workspaces ?? []}
            switchWorkspace={workspaces.switchTo}
            onAccountChange={workspaces.reload}
          />
        </AppContext.Provider>
      ) : (
        <div class="layout">
          <nav class="sidebar" aria-label="Main" />
          <main class="main" aria-busy="true">
            <p class="loading">Opening your burrow…</p>
          </main>
        </div>
      )}
    </div>
  );
}

interface CurrentViewProps {
  route: Route;
  search: string;
  workspaceName: string;
  onEditCollection: (collection: RecordView) => void;
  onNewSubcollection: (parentId: string) => void;
}

function CurrentView({ route, search, workspaceName, onEditCollection, onNewSubcollection }: CurrentViewProps) {
  switch (route.name) {
    case 'todos':
      return <TodosView />;
    case 'agenda':
      return <AgendaView />;
    case 'trash':
      return <TrashView />;
    case 'import':
      return <ImportExportView workspaceName={workspaceName} />;
    case 'collection':
      return (
        <CollectionView
          id={route.id}
          search={search}
          onEdit={onEditCollection}
          onNewSubcollection={onNewSubcollection}
        />
      );
    default:
      return <CardsView search={search} title="All cards" />;
  }
}

interface CollectionViewProps {
  id: string;
  search: string;
  onEdit: (collection: RecordView) => void;
  onNewSubcollection: (parentId: string) => void;
}

function CollectionView({ id, search, onEdit, onNewSubcollection }: CollectionViewProps) {
  const { client } = useApp();
  const [collection, setCollection] = useState<RecordView | null | undefined>(undefined);
  useEffect(() => {
    let active = true;
    const load = () => client.get('collections', id).then((record) => active && setCollection(record ?? null));
    void load();
    const unsubscribe = client.subscribe(() => void load());
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, id]);
  if (collection === undefined) return <div class="cards-loading" aria-busy="true" />;
  if (collection === null || collection.deleted) {
    return (
      <div class="empty-state">
        <p class="empty-title">This collection does not exist (any more).</p>
        <p>It may have been deleted: look in the Trash.</p>
      </div>
    );
  }
  const actions = (
    <>
      <button type="button" class="button" onClick={() => onEdit(collection)}>
        Edit collection
      </button>
      <button type="button" class="button" onClick={() => onNewSubcollection(collection.id)}>
        New subcollection
      </button>
    </>
  );
  return <CardsView search={search} collectionId={id} title={collection.fields.name as string} actions={actions} />;
}

interface ModalsProps {
  modal: Modal | null;
  setModal: (modal: Modal | null) => void;
  workspaces: RecordView[];
  switchWorkspace: (id: string) => void;
  onAccountChange: () => void;
}

function Modals({ modal, setModal, workspaces, switchWorkspace, onAccountChange }: ModalsProps) {
  const close = () => setModal(null);
  const openRecord = (id: string) => setModal({ name: 'card', target: { id } });
  if (!modal) return null;
  switch (modal.name) {
    case 'card':
      return <CardEditorFor target={modal.target} onClose={close} onOpenCard={openRecord} />;
    case 'reader':
      return <ReadingView cardId={modal.cardId} onClose={close} />;
    case 'sync':
      return <SyncPanel onClose={close} onOpenRecord={openRecord} />;
    case 'account':
      return (
        <AccountDialog
          onClose={() => {
            close();
            onAccountChange();
          }}
        />
      );
    case 'workspaces':
      return (
        <WorkspacesDialog
          workspaces={workspaces}
          onSwitch={(id) => {
            switchWorkspace(id);
            close();
          }}
          onClose={close}
        />
      );
    case 'collection':
      return <CollectionDialog collection={modal.collection} parentId={modal.parentId} onClose={close} />;
  }
}

interface CardEditorForProps {
  target: CardTarget;
  onClose: () => void;
  onOpenCard: (id: string) => void;
}

/** Loads the card to edit (if any) before showing the editor, so the form starts filled. */
function CardEditorFor({ target, onClose, onOpenCard }: CardEditorForProps) {
  const { client } = useApp();
  const id = 'id' in target ? target.id : null;
  const [card, setCard] = useState<RecordView | null | undefined>(id ? undefined : null);
  useEffect(() => {
    if (id) void client.get('cards', id).then((record) => setCard(record ?? null));
  }, [client, id]);
  if (card === undefined) return null;
  return (
    <CardEditor
      key={id ?? 'new'}
      card={card ?? undefined}
      kind={'kind' in target ? target.kind : 'note'}
      initial={'initial' in target ? target.initial : undefined}
      onClose={onClose}
      onOpenCard={onOpenCard}
    />
  );
}

let shareHandled = false;

/**
 * On /share (the manifest's share target), opens the editor prefilled with what was shared,
 * once. Nothing is saved until the person presses Save: any page can navigate to /share.
 */
function useShareTarget(route: Route, context: AppContextValue | null, openCard: (target: CardTarget) => void): void {
  useEffect(() => {
    if (route.name !== 'share' || !context || shareHandled) return;
    shareHandled = true;
    const initial = cardFromShare(readSharedData(location.search));
    navigate({ name: 'cards' }, { replace: true });
    openCard({ kind: initial.kind, initial });
  }, [route, context]);
}
