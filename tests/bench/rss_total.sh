#!/usr/bin/env bash
# tests/bench/rss_total.sh OUT: samples, every 0.2 s until killed, the
# resident memory of every running process named ordergate, and writes to
# OUT the largest simultaneous total (sum of VmRSS over the processes
# alive at one sample) and the sum of each process's peak (VmHWM), in KB.
# /usr/bin/time reports only the largest single process; this is the
# figure for the whole engine (parent plus workers).
OUT=$1
declare -A PEAK
MAXSUM=0
report() {
	local s=0
	for k in "${!PEAK[@]}"; do s=$((s + PEAK[$k])); done
	printf 'max_total_rss_kb=%s sum_of_peaks_kb=%s processes=%s\n' "$MAXSUM" "$s" "${#PEAK[@]}" >"$OUT"
	exit 0
}
trap report TERM INT
while :; do
	sum=0
	for st in /proc/[0-9]*/status; do
		name= rss= hwm=
		while read -r k v _; do
			case $k in
			Name:) name=$v; [ "$name" = ordergate ] || break ;;
			VmHWM:) hwm=$v ;;
			VmRSS:) rss=$v; break ;;
			esac
		done <"$st" 2>/dev/null
		[ "$name" = ordergate ] && [ -n "$rss" ] || continue
		pid=${st#/proc/}; pid=${pid%/status}
		sum=$((sum + rss))
		[ "${PEAK[$pid]:-0}" -lt "${hwm:-0}" ] && PEAK[$pid]=$hwm
	done
	[ $sum -gt $MAXSUM ] && MAXSUM=$sum
	sleep 0.2 &
	wait $!
done
