// A stock level's five figures, as every stock table shows them: headings and cells in the same order.
export interface StockFiguresLike {
  onHand: number;
  reserved: number;
  safetyStock: number;
  incoming: number;
  available: number;
}

export function StockHeadings() {
  return (
    <>
      <th scope="col">On hand</th>
      <th scope="col">Reserved</th>
      <th scope="col">Safety</th>
      <th scope="col">Incoming</th>
      <th scope="col">Available</th>
    </>
  );
}

export function StockFigures({ level }: { level: StockFiguresLike }) {
  return (
    <>
      <td>{level.onHand}</td>
      <td>{level.reserved}</td>
      <td>{level.safetyStock}</td>
      <td>{level.incoming}</td>
      <td>{level.available}</td>
    </>
  );
}
