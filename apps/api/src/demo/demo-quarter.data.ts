import type {
  KeyResultDefinition,
  KeyResultKind,
  KeyResultType,
  Visibility,
} from '@okr-ledger/okr';

/**
 * The demo quarter as data: who owns what, and each key result's weekly values (week 1..13,
 * null = no check-in that week). Values are in the key result's definition of that week, so
 * they change scale where a redefinition changes the metric.
 */

export const DEMO_TENANT = 'demo';

export interface DemoTeam {
  readonly key: string;
  readonly name: string;
  readonly parent: string | null;
  /** Who belongs to it (a person is a token's `sub`), and who leads it. */
  readonly members: readonly { readonly personId: string; readonly lead: boolean }[];
}

export interface DemoNote {
  readonly plan?: string;
  readonly progress?: string;
  readonly problems?: string;
}

export interface DemoKeyResult {
  readonly key: string;
  readonly title: string;
  readonly type: KeyResultType;
  readonly kind: KeyResultKind;
  readonly startValue: number;
  readonly targetValue: number;
  readonly unit: string | null;
  readonly owner: string;
  readonly dataSourceUrl?: string;
  readonly weekly: readonly (number | null)[];
  /** Confidence at week 1 and at week 13, interpolated in between. */
  readonly confidence: readonly [number, number];
  /** The plan stated on most check-ins. */
  readonly plan: string;
  readonly notes?: Readonly<Record<number, DemoNote>>;
  /** Values a data source pushes on Tuesdays and Thursdays, two per week. */
  readonly integration?: readonly (readonly [number, number])[];
  /** The data source that pushes `integration`, through the ingestion path (else a plain sync). */
  readonly crm?: DemoCrm;
  readonly redefinitions?: readonly {
    readonly week: number;
    readonly changes: Partial<KeyResultDefinition>;
    readonly reason: string;
  }[];
  readonly graduate?: { readonly week: number; readonly reason: string };
  readonly initiatives?: readonly {
    readonly key: string;
    readonly title: string;
    /** Day of the quarter it is due. */
    readonly dueDay: number;
    readonly completedWeek?: number;
  }[];
}

/** A CRM registered as a data source: its pushes, what went wrong, and who typed over it. */
export interface DemoCrm {
  readonly key: string;
  readonly name: string;
  readonly expectedIntervalHours: number;
  /** Pushes (week 1..13, push 0 = Tuesday, 1 = Thursday) recorded this many hours late. */
  readonly late: readonly {
    readonly week: number;
    readonly push: number;
    readonly hours: number;
  }[];
  /** A person's Friday check-in that types over the CRM's value. */
  readonly override: {
    readonly week: number;
    readonly person: string;
    readonly value: number;
    readonly problems: string;
  };
  /** The CRM re-sends a week-13 push with another value, days after the cycle closed. */
  readonly correction: {
    readonly push: number;
    readonly value: number;
    readonly daysAfterClose: number;
    readonly note: string;
  };
}

export type DemoParent = { readonly objective: string } | { readonly keyResult: string };

export interface DemoObjective {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly owner: string;
  readonly team: string | null;
  /** Stated when set; the default (PUBLIC with a team, PRIVATE without) otherwise. */
  readonly visibility?: Visibility;
  readonly parent?: DemoParent;
  /** Set as a root during planning and aligned in this week instead. */
  readonly alignedInWeek?: number;
  readonly keyResults: readonly DemoKeyResult[];
}

export const DEMO_TEAMS: readonly DemoTeam[] = [
  { key: 'company', name: 'Company', parent: null, members: [{ personId: 'ana', lead: true }] },
  {
    key: 'sales',
    name: 'Sales',
    parent: 'company',
    members: [
      { personId: 'ben', lead: true },
      { personId: 'eva', lead: false },
    ],
  },
  {
    key: 'customer-success',
    name: 'Customer Success',
    parent: 'company',
    members: [{ personId: 'cleo', lead: true }],
  },
  {
    key: 'revops',
    name: 'Revenue Operations',
    parent: 'company',
    members: [{ personId: 'dan', lead: true }],
  },
];

export const DEMO_OBJECTIVES: readonly DemoObjective[] = [
  {
    key: 'territories',
    title: 'Eliminate geographic sales territories for new business',
    description: 'Any rep can take any new-business lead: speed to lead beats the map.',
    owner: 'ana',
    team: 'company',
    keyResults: [
      {
        key: 'round-robin',
        title: 'Route 100% of new-business leads round-robin instead of by territory',
        type: 'INCREASE',
        kind: 'OUTPUT',
        startValue: 0,
        targetValue: 100,
        unit: '%',
        owner: 'dan',
        weekly: [0, 10, 15, 25, 35, 40, 50, 55, 65, 70, 75, 80, 85],
        confidence: [0.6, 0.8],
        plan: 'Move the next region onto round-robin routing',
        notes: { 4: { problems: 'Two regional managers ask to keep their named accounts' } },
      },
      {
        key: 'quota-plans',
        title: 'Retire the 6 territory-based quota plans',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 6,
        unit: 'plans',
        owner: 'ben',
        weekly: [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5],
        confidence: [0.7, 0.7],
        plan: 'Agree the replacement quota with finance',
      },
    ],
  },
  {
    key: 'inside-sales',
    title: 'Fully adopt an inside sales model',
    description: 'Close new business remotely; field visits only where they pay for themselves.',
    owner: 'ana',
    team: 'company',
    keyResults: [
      {
        key: 'remote-deals',
        title: 'Close 80% of new deals without an on-site visit',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 35,
        targetValue: 80,
        unit: '%',
        owner: 'ben',
        weekly: [36, 38, 41, 45, 47, 50, 54, 57, 59, 62, 64, 66, 68],
        confidence: [0.6, 0.7],
        plan: 'Coach two reps on remote discovery calls',
      },
      {
        key: 'inside-reps',
        title: 'Hire and ramp 8 inside sales reps',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 8,
        unit: 'reps',
        owner: 'ben',
        weekly: [0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6],
        confidence: [0.8, 0.6],
        plan: 'Interview the shortlisted candidates',
        notes: { 11: { problems: 'Two offers declined: the salary band is below market' } },
      },
    ],
  },
  {
    key: 'customers-first',
    title: 'Put customers first',
    description: 'Listen before we build, and make the website about the customer.',
    owner: 'cleo',
    team: 'company',
    keyResults: [
      {
        key: 'survey',
        title: 'Survey 50% of active customers',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 50,
        unit: '%',
        owner: 'cleo',
        weekly: [0, 5, 12, 18, 22, 27, 30, 33, 36, 38, 40, 42, 44],
        confidence: [0.8, 0.8],
        plan: 'Send the survey to the next customer segment',
      },
      {
        key: 'interviews',
        title: 'Hold 25 customer interviews',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 25,
        unit: 'interviews',
        owner: 'cleo',
        weekly: [1, 2, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16],
        confidence: [0.7, 0.4],
        plan: 'Book three interviews through account managers',
        notes: { 6: { problems: 'Customers cancel at short notice; we need a waiting list' } },
      },
      {
        key: 'nps',
        title: 'Raise NPS by 20 points',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 22,
        targetValue: 42,
        unit: 'points',
        owner: 'cleo',
        weekly: [null, 24, null, 23, null, 26, null, 27, null, 28, null, 29, 30],
        confidence: [0.5, 0.3],
        plan: 'Close the loop with every detractor within a week',
        notes: { 4: { problems: 'The billing incident cost us three points' } },
      },
      {
        key: 'retention',
        title: 'Raise customer retention by 1 point',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 91,
        targetValue: 92,
        unit: '%',
        owner: 'cleo',
        weekly: [91.1, 91.2, 91.1, 91.3, 91.3, 91.4, 91.4, 91.5, 91.5, 91.6, 91.6, 91.7, 91.7],
        confidence: [0.6, 0.6],
        plan: 'Review every account at risk of churning',
        graduate: {
          week: 6,
          reason: 'Retention is a standing KPI on the board dashboard: monitored, no longer scored',
        },
      },
      {
        key: 'calls-to-action',
        title: '25% fewer competing calls to action on the website',
        type: 'DECREASE',
        kind: 'OUTPUT',
        startValue: 12,
        targetValue: 9,
        unit: 'calls to action',
        owner: 'cleo',
        weekly: [12, 12, 11, 11, 11, 10, 10, 10, 9, 9, 9, 9, 9],
        confidence: [0.7, 1],
        plan: 'Remove the next banner after the A/B test',
      },
    ],
  },
  {
    key: 'revenue-systems',
    title: 'Adopt a revenue systems mindset',
    description: 'One process and one CRM from first touch to renewal.',
    owner: 'dan',
    team: 'revops',
    keyResults: [
      {
        key: 'crm-training',
        title: '100% of customer-facing staff trained on the CRM process',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 100,
        unit: '%',
        owner: 'dan',
        weekly: [5, 10, 18, 25, 33, 40, 48, 55, 63, 70, 78, 85, 92],
        confidence: [0.8, 0.9],
        plan: 'Run two more training sessions',
      },
      {
        key: 'revops-function',
        title: 'Create a RevOps function',
        type: 'MILESTONE',
        kind: 'OUTPUT',
        startValue: 0,
        targetValue: 1,
        unit: null,
        owner: 'ana',
        weekly: [null, null, 0, null, null, 0, null, null, 1, null, null, null, null],
        confidence: [0.6, 1],
        plan: 'Agree the charter and the head of RevOps',
        notes: {
          3: { progress: 'Charter drafted' },
          6: { progress: 'Head of RevOps shortlisted', problems: 'Budget approval pending' },
          9: { progress: 'RevOps team started with three people' },
        },
      },
    ],
  },
  {
    key: 'machine-recommendations',
    title: 'Get the sales teams to adopt machine-recommended opportunities',
    description: 'Let the model pick the next best opportunity and make reps act on it.',
    owner: 'ben',
    team: 'sales',
    parent: { keyResult: 'remote-deals' },
    alignedInWeek: 2,
    keyResults: [
      {
        key: 'recommendation-rate',
        title: 'Review rate of machine-recommended opportunities',
        type: 'INCREASE',
        kind: 'OUTPUT',
        startValue: 20,
        targetValue: 60,
        unit: '%',
        owner: 'eva',
        weekly: [24, 29, 33, 10, 13, 15, 18, 4, 6, 8, 10, 12, 13],
        confidence: [0.7, 0.5],
        plan: 'Walk each rep through their recommendation queue',
        redefinitions: [
          {
            week: 4,
            changes: {
              title: 'Pitch rate of machine-recommended opportunities',
              startValue: 8,
              targetValue: 40,
            },
            reason: 'Reps already review most recommendations; the habit we need is pitching them',
          },
          {
            week: 8,
            changes: {
              title: 'Implemented rate of machine-recommended opportunities',
              startValue: 3,
              targetValue: 25,
            },
            reason: 'Pitches are up; revenue comes from the recommended deals that get implemented',
          },
        ],
      },
    ],
  },
  {
    key: 'fortune-500',
    title: 'Increase sales to Fortune 500 companies',
    description: 'Land and expand in the accounts that move the number.',
    owner: 'ben',
    team: 'sales',
    parent: { objective: 'territories' },
    keyResults: [
      {
        key: 'product-demos',
        title: 'Run 50 product demos for Fortune 500 prospects',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 50,
        unit: 'demos',
        owner: 'ben',
        weekly: [3, 7, 10, 14, 17, 21, 24, 28, 31, 34, 37, 40, 43],
        confidence: [0.8, 0.8],
        plan: 'Book demos from the partner-event leads',
        initiatives: [
          {
            key: 'field-visits',
            title: 'Field visits to the top 20 target accounts',
            dueDay: 40,
            completedWeek: 6,
          },
          {
            key: 'partner-events',
            title: 'Partner events with two system integrators',
            dueDay: 60,
            completedWeek: 9,
          },
          {
            key: 'partner-sqls',
            title: 'Sales-qualified leads from the partner channel',
            dueDay: 85,
          },
        ],
      },
      {
        key: 'new-contracts',
        title: 'Sign 10 new Fortune 500 contracts',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 10,
        unit: 'contracts',
        owner: 'ben',
        weekly: [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5],
        confidence: [0.6, 0.4],
        plan: 'Push the three deals in legal review',
        notes: { 9: { problems: 'Procurement cycles are longer than the quarter' } },
      },
      {
        key: 'average-basket',
        title: 'Raise the average Fortune 500 basket by 20%',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 250,
        targetValue: 300,
        unit: 'k$',
        owner: 'ben',
        weekly: [250, 252, 255, 255, 260, 262, 265, 270, 272, 275, 278, 280, 283],
        confidence: [0.6, 0.6],
        plan: 'Bundle the analytics add-on in every proposal',
      },
      {
        key: 'upsell',
        title: 'Upsell 600 k$ to existing Fortune 500 accounts',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 600,
        unit: 'k$',
        owner: 'eva',
        dataSourceUrl: 'https://crm.example.com/reports/fortune-500-upsell',
        weekly: [null, 40, null, 120, null, 190, null, 260, null, 330, null, 400, 450],
        integration: [
          [10, 25],
          [30, 40],
          [55, 80],
          [95, 120],
          [140, 160],
          [175, 190],
          [205, 230],
          [245, 260],
          [280, 300],
          [315, 330],
          [350, 370],
          [385, 400],
          [420, 450],
        ],
        crm: {
          key: 'crm',
          name: 'Salesforce CRM',
          expectedIntervalHours: 84,
          // The sync was down from Tuesday to Friday twice: those values came in three days late.
          late: [
            { week: 5, push: 0, hours: 72 },
            { week: 9, push: 0, hours: 72 },
          ],
          override: {
            week: 11,
            person: 'ben',
            value: 390,
            problems: 'Two renewals signed this afternoon are not in the CRM yet',
          },
          correction: {
            push: 1,
            value: 445,
            daysAfterClose: 3,
            note: 'Month-end reconciliation: one renewal was booked twice',
          },
        },
        confidence: [0.7, 0.7],
        plan: 'Review the CRM pipeline with each account manager',
      },
    ],
  },
  {
    key: 'better-shape',
    title: 'Get in better shape',
    description:
      'A personal objective, to show that OKRs are not only for work: its owner’s business.',
    owner: 'finn',
    team: null,
    // Said outright, though a teamless objective is PRIVATE by default.
    visibility: 'PRIVATE',
    keyResults: [
      {
        key: 'runs-per-week',
        title: 'Run 5 times a week',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 2,
        targetValue: 5,
        unit: 'runs/week',
        owner: 'finn',
        weekly: [3, 3, 4, 4, 5, 4, 5, 5, 5, 4, 5, 4, 4],
        confidence: [0.8, 0.7],
        plan: 'Run before work on Monday, Wednesday and Friday, twice at the weekend',
        notes: { 10: { problems: 'A cold kept me in for three days' } },
      },
      {
        key: 'mile-pace',
        title: 'Bring the mile pace from 10:00 to 9:30',
        type: 'DECREASE',
        kind: 'OUTCOME',
        startValue: 600,
        targetValue: 570,
        unit: 's/mile',
        owner: 'finn',
        weekly: [600, 598, 596, 597, 592, 590, 588, 586, 585, 583, 581, 580, 578],
        confidence: [0.6, 0.6],
        plan: 'One interval session a week',
      },
      {
        key: 'resting-heart-rate',
        title: 'Lower the resting heart rate from 70 to 65 bpm',
        type: 'DECREASE',
        kind: 'OUTCOME',
        startValue: 70,
        targetValue: 65,
        unit: 'bpm',
        owner: 'finn',
        weekly: [70, 70, 69, 69, 69, 68, 68, 68, 67, 67, 67, 66, 66],
        confidence: [0.7, 0.8],
        plan: 'Sleep eight hours and keep the easy runs easy',
      },
    ],
  },
];
