// "Carregar mais" under a list read with usePages, while the API has a next page.
export function LoadMore({ list }: { list: { more: boolean; loading: boolean; loadMore: () => Promise<void> } }) {
  if (!list.more) return null;
  return (
    <button type="button" className="secondary" disabled={list.loading} onClick={() => void list.loadMore()}>
      Carregar mais
    </button>
  );
}
