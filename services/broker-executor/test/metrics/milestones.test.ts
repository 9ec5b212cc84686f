import { measuredRole, milestonesOf } from '../../src/domain/milestones';

describe('end-to-end milestones of an order', () => {
  it('accepted when it first reaches the broker, filled when it completes, each once', () => {
    expect(milestonesOf('NEW', 'ACCEPTED')).toEqual(['accepted']);
    expect(milestonesOf('SUBMITTING', 'PARTIALLY_FILLED')).toEqual(['accepted']);
    expect(milestonesOf('SUBMITTING', 'FILLED')).toEqual(['accepted', 'filled']);
    expect(milestonesOf('ACCEPTED', 'FILLED')).toEqual(['filled']);
    expect(milestonesOf('PARTIALLY_FILLED', 'FILLED')).toEqual(['filled']);
    expect(milestonesOf('ACCEPTED', 'ACCEPTED')).toEqual([]);
    expect(milestonesOf('FILLED', 'FILLED')).toEqual([]);
    expect(milestonesOf('SUBMITTING', 'REJECTED')).toEqual([]);
    expect(milestonesOf('ACCEPTED', 'CANCELLED')).toEqual([]);
  });

  it("counts a signal's own orders only, not the exit legs of its position", () => {
    expect(
      ['ENTRY', 'CLOSE', 'STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'].filter((r) =>
        measuredRole(r as Parameters<typeof measuredRole>[0]),
      ),
    ).toEqual(['ENTRY', 'CLOSE']);
  });
});
