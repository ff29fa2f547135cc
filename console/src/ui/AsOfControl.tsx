import { fromLocalInput, toLocalInput, useAsOf } from "./asOf";

/** The shell's time picker: every screen that can rewind reads the same `?asOf=`; "Now" returns to the present. */
export function AsOfControl() {
  const [asOf, setAsOf] = useAsOf();
  return (
    <div className="asof" role="group" aria-label="Time travel">
      <label htmlFor="as-of">As of</label>
      <input
        id="as-of"
        type="datetime-local"
        step={1}
        value={toLocalInput(asOf)}
        onChange={(e) => setAsOf(fromLocalInput(e.target.value))}
      />
      <button type="button" disabled={asOf === null} onClick={() => setAsOf(null)}>
        Now
      </button>
    </div>
  );
}
