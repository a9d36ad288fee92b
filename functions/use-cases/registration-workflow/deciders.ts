/** Who automatic decisions (a clear verdict, a rule's rejection) are recorded as. */
export const automaticDecider = { email: 'policy@dealreg.invalid', name: 'Dealreg policy (automatic)' };

/** Who the SLA default, and the decline of a question the partner left unanswered, decide as. */
export const slaDefaultDecider = {
  email: 'sla-default@dealreg.invalid',
  name: 'Policy default at the final deadline',
};
